import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  DOCUMENT,
  ElementRef,
  inject,
  Injectable,
  signal,
} from '@angular/core';

export interface ConfirmRequest {
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  /** Destructive actions get the red button. */
  readonly danger?: boolean;
}

/** Asks the admin to confirm through the console's one dialog (pages inject this instead of querying the view). */
@Injectable()
export class Confirmer {
  private dialog: ConfirmDialog | null = null;

  attach(dialog: ConfirmDialog): void {
    this.dialog = dialog;
  }

  detach(dialog: ConfirmDialog): void {
    if (this.dialog === dialog) this.dialog = null;
  }

  /** Resolves true only when the admin pressed the confirm button. */
  ask(request: ConfirmRequest): Promise<boolean> {
    return this.dialog?.ask(request) ?? Promise.resolve(false);
  }
}

/**
 * A modal confirmation on the native <dialog>: the browser traps focus, Escape cancels, and focus goes back to the
 * control that opened it. `ask()` resolves true only when the confirm button was pressed.
 */
@Component({
  selector: 'app-confirm-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <dialog
      class="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      (close)="closed()"
      data-testid="confirm-dialog"
    >
      @if (request(); as request) {
        <h2 id="confirm-title">{{ request.title }}</h2>
        <p id="confirm-body">{{ request.body }}</p>
        <div class="actions">
          <button type="button" class="button" (click)="answer(false)">Cancel</button>
          <button
            type="button"
            class="button"
            [class.danger]="request.danger"
            [class.primary]="!request.danger"
            data-testid="confirm"
            (click)="answer(true)"
          >
            {{ request.confirmLabel }}
          </button>
        </div>
      }
    </dialog>
  `,
  styles: `
    dialog {
      max-width: min(28rem, calc(100vw - 2rem));
      padding: 1.25rem;
      border: 1px solid var(--border);
      border-radius: var(--radius);
      background: var(--surface);
      color: var(--text);
    }
    dialog::backdrop {
      background: rgb(0 0 0 / 0.5);
    }
    h2 {
      margin: 0 0 0.5rem;
      font-size: 1.125rem;
    }
  `,
})
export class ConfirmDialog {
  private readonly document = inject(DOCUMENT);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  protected readonly request = signal<ConfirmRequest | null>(null);
  private resolve: ((confirmed: boolean) => void) | null = null;
  private confirmed = false;
  private opener: HTMLElement | null = null;
  private native = true;

  constructor() {
    const confirmer = inject(Confirmer, { optional: true });
    confirmer?.attach(this);
    inject(DestroyRef).onDestroy(() => confirmer?.detach(this));
  }

  private get element(): HTMLDialogElement {
    return this.host.nativeElement.querySelector('dialog')!;
  }

  ask(request: ConfirmRequest): Promise<boolean> {
    this.resolve?.(false);
    this.request.set(request);
    this.confirmed = false;
    const active = this.document.activeElement;
    this.opener = active instanceof HTMLElement ? active : null;
    const dialog = this.element;
    // jsdom (specs) has no showModal; the open attribute shows the same content.
    this.native = typeof dialog.showModal === 'function';
    if (this.native) dialog.showModal();
    else dialog.setAttribute('open', '');
    return new Promise<boolean>((resolve) => (this.resolve = resolve));
  }

  protected answer(confirmed: boolean): void {
    this.confirmed = confirmed;
    const dialog = this.element;
    if (this.native) dialog.close();
    else {
      dialog.removeAttribute('open');
      this.closed();
    }
  }

  /**
   * Runs for the buttons and for Escape alike. The browser fires `close` in a task of its own, and Chromium runs
   * input first: a key that opens the dialog again can come before the `close` of the previous question (Escape,
   * then Enter on the opener, on a busy machine). That late event finds the dialog open again and is ignored, or it
   * would answer the new question with the old one's "no" and leave the confirm button answering nobody.
   */
  protected closed(): void {
    if (this.native && this.element.open) return;
    this.resolve?.(this.confirmed);
    this.resolve = null;
    this.opener?.focus();
    this.opener = null;
  }
}
