import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/**
 * A checkbox with its label and a hint (the projected content) that describes it: `<div appFlagCheck …>hint</div>`.
 * An attribute component so the DOM stays one `div.check` with the input, label and hint inside.
 */
@Component({
  selector: 'div[appFlagCheck]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'check' },
  template: `
    <input
      type="checkbox"
      [id]="controlId()"
      [checked]="checked()"
      (change)="toggle($event)"
      [attr.aria-describedby]="controlId() + '-hint'"
    />
    <label [attr.for]="controlId()">{{ label() }}</label>
    <p class="hint" [id]="controlId() + '-hint'"><ng-content /></p>
  `,
})
export class FlagCheck {
  readonly controlId = input.required<string>();
  readonly label = input.required<string>();
  readonly checked = input.required<boolean>();
  readonly checkedChange = output<boolean>();

  protected toggle(event: Event): void {
    this.checkedChange.emit((event.target as HTMLInputElement).checked);
  }
}
