import { ChangeDetectionStrategy, Component, computed, Directive, inject, input } from '@angular/core';

/**
 * Label, hint and the API's errors around one projected control. The control carries `appControl`, which takes its
 * id, `aria-describedby` (hint + errors) and `aria-invalid` from here, so a screen reader reads the error with the
 * field's name whenever the field has focus.
 */
@Component({
  selector: 'app-form-field',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'field', '[class.invalid]': 'invalid()' },
  template: `
    <label class="label" [attr.for]="controlId()"
      >{{ label() }}
      @if (optional()) {
        <span class="optional">(optional)</span>
      }
    </label>
    @if (hint()) {
      <p class="hint" [id]="controlId() + '-hint'">{{ hint() }}</p>
    }
    @if (invalid()) {
      <p class="field-error" [id]="controlId() + '-error'" [attr.data-field]="controlId()">
        @for (error of errors(); track $index) {
          <span>{{ error }}</span>
        }
      </p>
    }
    <ng-content />
  `,
})
export class FormField {
  readonly controlId = input.required<string>();
  readonly label = input.required<string>();
  readonly hint = input('');
  readonly optional = input(false);
  /** Already rendered problems ("value rule") for this field. */
  readonly errors = input<readonly string[]>([]);

  readonly invalid = computed(() => this.errors().length > 0);
  readonly describedBy = computed(
    () =>
      [this.hint() ? `${this.controlId()}-hint` : null, this.invalid() ? `${this.controlId()}-error` : null]
        .filter((id) => id !== null)
        .join(' ') || null,
  );
}

/** Marks the control inside an `app-form-field`. */
@Directive({
  selector: '[appControl]',
  host: {
    '[id]': 'field.controlId()',
    '[attr.aria-describedby]': 'field.describedBy()',
    '[attr.aria-invalid]': 'field.invalid() ? "true" : null',
  },
})
export class FieldControl {
  protected readonly field = inject(FormField);
}
