import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Clock } from '../../core/polling/clock';
import { AdminApi, AdminApiError } from '../api/admin-api';
import { describeError } from '../shared/describe-error';
import { ErrorSummary, type SummaryItem } from '../shared/error-summary';
import { FieldControl, FormField } from '../shared/form-field';
import { AdminSession } from './admin-session';

/** Why a token was refused, naming the field and what was wrong — never echoing the secret itself. */
export function signInError(error: unknown, token: string): string {
  if (error instanceof AdminApiError && error.status === 401) {
    return `was not accepted: ${error.message} (HTTP 401). Check that you pasted the whole token (${token.length} characters entered).`;
  }
  if (error instanceof AdminApiError && error.status === 429) {
    return `was not checked: too many failed attempts from this address (HTTP 429). Wait ${error.retryAfterSeconds ?? 60} s.`;
  }
  return `could not be checked: ${describeError(error)}`;
}

/** Sign-in with an admin token, checked against the API before it is kept (in this tab only). */
@Component({
  selector: 'app-sign-in',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ErrorSummary, FormField, FieldControl],
  template: `
    <h1 class="view-title" tabindex="-1">Sign in</h1>
    @if (session.notice(); as notice) {
      <div
        class="alert"
        [class.error]="notice.tone === 'error'"
        [class.info]="notice.tone === 'info'"
        [attr.role]="notice.tone === 'error' ? 'alert' : 'status'"
        data-testid="session-notice"
      >
        {{ notice.text }}
      </div>
    }
    <app-error-summary [items]="summary()" [attempt]="attempt()" />
    <form class="form narrow" novalidate (submit)="submit($event)" aria-label="Sign in to the admin console">
      <app-form-field
        controlId="admin-token"
        label="Admin token"
        hint="The token printed by npm run admin-token. It is kept in this browser tab only (sessionStorage) and removed when you sign out or close the tab."
        [errors]="error() ? [error()!] : []"
      >
        <input
          appControl
          type="password"
          autocomplete="off"
          spellcheck="false"
          [value]="token()"
          (input)="token.set(value($event))"
        />
      </app-form-field>
      <div class="actions">
        <button
          type="submit"
          class="button primary"
          [attr.aria-disabled]="checking() || blocked() ? 'true' : null"
          data-testid="sign-in"
        >
          {{ checking() ? 'Checking…' : 'Sign in' }}
        </button>
      </div>
    </form>
  `,
})
export class SignIn {
  protected readonly session = inject(AdminSession);
  private readonly api = inject(AdminApi);
  private readonly clock = inject(Clock);

  protected readonly token = signal('');
  protected readonly error = signal<string | null>(null);
  protected readonly attempt = signal(0);
  protected readonly checking = signal(false);
  protected readonly blocked = computed(() => (this.session.blockedUntil() ?? 0) > this.clock.now());
  protected readonly summary = computed<SummaryItem[]>(() => {
    const error = this.error();
    return error === null ? [] : [{ label: 'Admin token', text: error, controlId: 'admin-token' }];
  });

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.checking() || this.blocked()) return;
    const token = this.token().trim();
    if (token === '') {
      this.fail('is required: paste the token printed by npm run admin-token.');
      return;
    }
    this.checking.set(true);
    try {
      await this.api.verify(token);
      this.session.signIn(token);
    } catch (error) {
      this.fail(signInError(error, token));
    } finally {
      this.checking.set(false);
    }
  }

  private fail(text: string): void {
    this.error.set(text);
    this.attempt.update((count) => count + 1);
  }
}
