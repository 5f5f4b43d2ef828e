import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/** A service as the picker lists it. */
export interface PickableService {
  readonly id: string;
  readonly name: string;
}

/**
 * The "affected services" checkboxes of the incident and maintenance forms: a focusable fieldset named `controlId`
 * (the error summary moves focus to it), its optional hint and the API's errors, one checkbox per service
 * (`checkboxPrefix` + id), and the services' loading state. Emits the new selection on every change.
 */
@Component({
  selector: 'app-service-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { style: 'display: block' },
  template: `
    <fieldset
      class="group choices"
      [id]="controlId()"
      tabindex="-1"
      [attr.aria-describedby]="errors().length ? controlId() + '-error' : hint() ? controlId() + '-hint' : null"
      [class.invalid]="errors().length > 0"
    >
      <legend>{{ label() }}</legend>
      @if (hint()) {
        <p class="hint" [id]="controlId() + '-hint'">{{ hint() }}</p>
      }
      @if (errors().length) {
        <p class="field-error" [id]="controlId() + '-error'">{{ errors().join(' ') }}</p>
      }
      @if (services(); as list) {
        <div class="columns">
          @for (service of list; track service.id) {
            <div class="check">
              <input
                type="checkbox"
                [id]="checkboxPrefix() + service.id"
                [checked]="selected().includes(service.id)"
                (change)="toggle(service.id, $event)"
              />
              <label [attr.for]="checkboxPrefix() + service.id">{{ service.name }}</label>
            </div>
          }
        </div>
      } @else if (loadError(); as error) {
        <p class="alert error">The services could not be loaded: {{ error.message }}</p>
      } @else {
        <p class="loading">Loading services…</p>
      }
    </fieldset>
  `,
})
export class ServicePicker {
  readonly controlId = input.required<string>();
  readonly label = input.required<string>();
  readonly hint = input('');
  readonly errors = input<readonly string[]>([]);
  readonly checkboxPrefix = input.required<string>();
  /** The catalog, or null while it loads. */
  readonly services = input.required<readonly PickableService[] | null>();
  /** Why the catalog could not be loaded; while null the picker keeps saying it is loading. */
  readonly loadError = input<{ readonly message: string } | null>(null);
  readonly selected = input.required<readonly string[]>();
  readonly selectedChange = output<string[]>();

  protected toggle(id: string, event: Event): void {
    const checked = (event.target as HTMLInputElement).checked;
    const selected = this.selected();
    this.selectedChange.emit(checked ? [...selected, id] : selected.filter((candidate) => candidate !== id));
  }
}
