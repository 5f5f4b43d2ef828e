import { ChangeDetectionStrategy, Component, DOCUMENT, inject, input, signal } from '@angular/core';

/**
 * A heartbeat ping token, shown this once (the server keeps only its SHA-256): the token, the URL a job calls,
 * and copy buttons. Where the clipboard is unavailable (plain HTTP, a denied permission) the text is selected so
 * the admin can copy it by hand, and the status line says so.
 */
@Component({
  selector: 'app-heartbeat-token',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="alert warning token" aria-labelledby="heartbeat-token-title" data-testid="heartbeat-token">
      <h2 class="alert-title" id="heartbeat-token-title" tabindex="-1">{{ title() }}</h2>
      <p>
        Copy it now: it is shown only this once. If it is lost, rotate the token and update the job. A job reports that
        it ran by calling the ping URL (GET or POST); <code>?status=fail&amp;msg=…</code> reports a failure.
      </p>
      <div class="field">
        <label class="label" for="heartbeat-token-value">Ping token</label>
        <div class="copy-row">
          <input
            id="heartbeat-token-value"
            type="text"
            readonly
            spellcheck="false"
            [value]="token()"
            data-testid="heartbeat-token-value"
          />
          <button type="button" class="button small" (click)="copy('heartbeat-token-value', token(), 'Token')">
            Copy<span class="sr-only"> the token</span>
          </button>
        </div>
      </div>
      <div class="field">
        <label class="label" for="heartbeat-ping-url">Ping URL</label>
        <div class="copy-row">
          <input
            id="heartbeat-ping-url"
            type="text"
            readonly
            spellcheck="false"
            [value]="pingUrl()"
            data-testid="heartbeat-ping-url"
          />
          <button type="button" class="button small" (click)="copy('heartbeat-ping-url', pingUrl(), 'Ping URL')">
            Copy<span class="sr-only"> the ping URL</span>
          </button>
        </div>
      </div>
      <p class="copied" role="status" data-testid="copy-status">{{ copied() }}</p>
    </section>
  `,
})
export class HeartbeatToken {
  readonly title = input.required<string>();
  readonly token = input.required<string>();
  readonly pingUrl = input.required<string>();

  private readonly document = inject(DOCUMENT);
  protected readonly copied = signal('');

  protected async copy(controlId: string, text: string, what: string): Promise<void> {
    const clipboard = this.document.defaultView?.navigator.clipboard;
    try {
      if (clipboard === undefined) throw new Error('no clipboard');
      await clipboard.writeText(text);
      this.copied.set(`${what} copied.`);
    } catch {
      this.document.getElementById(controlId)?.focus();
      (this.document.getElementById(controlId) as HTMLInputElement | null)?.select();
      this.copied.set(`${what} selected: the browser did not allow copying, press Ctrl+C (⌘C) to copy it.`);
    }
  }
}
