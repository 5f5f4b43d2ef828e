import { ChangeDetectionStrategy, Component, DOCUMENT, effect, ElementRef, inject, input } from '@angular/core';
import { afterRender } from './after-render';

/** One line of the summary: the field's label, what was wrong, and the control to jump to (if any). */
export interface SummaryItem {
  readonly label: string;
  readonly text: string;
  readonly controlId: string | null;
}

/**
 * "There is a problem" box above a form after a failed submit: it takes focus and is announced (role=alert), lists
 * every problem with the field's name, and each entry moves focus to its field.
 */
@Component({
  selector: 'app-error-summary',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (items().length > 0 || message()) {
      <div class="alert error" role="alert" tabindex="-1" data-testid="error-summary">
        <h2 class="alert-title">{{ title() }}</h2>
        @if (message()) {
          <p>{{ message() }}</p>
        }
        @if (items().length > 0) {
          <ul>
            @for (item of items(); track $index) {
              <li>
                @if (item.controlId; as id) {
                  <button type="button" class="link" (click)="focus(id)">{{ item.label }}: {{ item.text }}</button>
                } @else {
                  {{ item.label }}: {{ item.text }}
                }
              </li>
            }
          </ul>
        }
      </div>
    }
  `,
})
export class ErrorSummary {
  private readonly document = inject(DOCUMENT);
  readonly title = input('There is a problem');
  readonly message = input<string | null>(null);
  readonly items = input<readonly SummaryItem[]>([]);
  /** Increments on every failed submit so a repeated, identical failure still takes focus. */
  readonly attempt = input(0);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  constructor() {
    effect(() => {
      if (this.attempt() > 0) afterRender(() => this.host.nativeElement.querySelector<HTMLElement>('.alert')?.focus());
    });
  }

  protected focus(id: string): void {
    const control = this.document.getElementById(id);
    control?.focus();
    control?.scrollIntoView?.({ block: 'center' });
  }
}
