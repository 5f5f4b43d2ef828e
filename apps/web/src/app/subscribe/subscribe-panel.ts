import { ChangeDetectionStrategy, Component, computed, inject, output, signal } from '@angular/core';
import type { SubscribeRequest } from '@app/contracts';
import { StatusApi } from '../core/api/status-api';
import { APP_CONFIG } from '../core/config/app-config';
import { StatusFeed } from '../core/polling/status-feed';

/**
 * "Subscribe to updates": e-mail (POST /api/subscriptions; AWS sends the confirmation and every unsubscribe
 * link, the page stores nothing) for all services or chosen ones, and the Atom feed. A lazy chunk: loaded when a
 * visitor opens it.
 */
@Component({
  selector: 'app-subscribe-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="subscribe-title">
      <div class="container">
        <div class="head">
          <h2 id="subscribe-title">Get updates</h2>
          <button type="button" class="close" (click)="closed.emit()">Close</button>
        </div>
        @if (done(); as message) {
          <p role="status" data-testid="subscribe-done">{{ message }}</p>
        } @else {
          <form (submit)="submit($event)" novalidate>
            <label for="subscribe-email">E-mail address</label>
            <input
              id="subscribe-email"
              name="email"
              type="email"
              autocomplete="email"
              required
              [value]="email()"
              (input)="email.set($any($event.target).value)"
              [attr.aria-invalid]="emailError() !== null"
              [attr.aria-describedby]="emailError() === null ? null : 'subscribe-email-error'"
            />
            @if (emailError(); as error) {
              <p id="subscribe-email-error" class="error">{{ error }}</p>
            }
            <fieldset>
              <legend>About</legend>
              <label><input type="radio" name="scope" [checked]="all()" (change)="all.set(true)" /> All services</label>
              <label
                ><input type="radio" name="scope" [checked]="!all()" (change)="all.set(false)" /> Only these:</label
              >
              @if (!all()) {
                <div class="services">
                  @for (service of services(); track service.id) {
                    <label
                      ><input type="checkbox" [checked]="chosen().has(service.id)" (change)="toggle(service.id)" />
                      {{ service.name }}</label
                    >
                  }
                </div>
              }
            </fieldset>
            @if (problem(); as problem) {
              <p class="error" role="alert">{{ problem }}</p>
            }
            <button type="submit" class="button-link" [disabled]="sending()">Subscribe</button>
          </form>
        }
        <p class="feed">
          Prefer a feed reader? <a [href]="feedUrl" type="application/atom+xml">Incidents as an Atom feed</a>.
        </p>
      </div>
    </section>
  `,
  styles: `
    .panel {
      background: var(--surface);
      border-bottom: 1px solid var(--border);
      padding: 1rem 0;
    }
    .head {
      display: flex;
      justify-content: space-between;
      align-items: center;
    }
    h2 {
      margin: 0;
      font-size: 1.0625rem;
    }
    form {
      display: grid;
      gap: 0.5rem;
      max-width: 32rem;
      margin-top: 0.5rem;
    }
    input[type='email'] {
      padding: 0.5rem;
      border: 1px solid var(--border);
      border-radius: 6px;
      background: var(--bg);
      color: var(--text);
      font: inherit;
    }
    fieldset {
      border: 0;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 0.25rem;
    }
    legend {
      padding: 0;
      margin-bottom: 0.25rem;
    }
    .services {
      display: grid;
      gap: 0.25rem;
      padding-left: 1.5rem;
    }
    .error {
      margin: 0;
      color: var(--critical-text);
    }
    .close {
      border: 1px solid var(--border);
      border-radius: 6px;
      background: transparent;
      color: var(--text);
      padding: 0.25rem 0.625rem;
      font: inherit;
      cursor: pointer;
    }
    .button-link {
      justify-self: start;
    }
    .feed {
      margin: 0.75rem 0 0;
      font-size: 0.875rem;
      color: var(--muted);
    }
  `,
})
export class SubscribePanel {
  readonly closed = output<void>();
  private readonly api = inject(StatusApi);
  protected readonly feedUrl = `${inject(APP_CONFIG).apiBaseUrl}/incidents/feed.atom`;
  private readonly feed = inject(StatusFeed);
  protected readonly services = computed(() => this.feed.status()?.services ?? []);

  protected readonly email = signal('');
  protected readonly all = signal(true);
  protected readonly chosen = signal(new Set<string>());
  protected readonly sending = signal(false);
  protected readonly emailError = signal<string | null>(null);
  protected readonly problem = signal<string | null>(null);
  protected readonly done = signal<string | null>(null);

  protected toggle(id: string): void {
    const next = new Set(this.chosen());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.chosen.set(next);
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.emailError.set(null);
    this.problem.set(null);
    if (!this.all() && this.chosen().size === 0) {
      this.problem.set('Choose at least one service, or “All services”.');
      return;
    }
    const request: SubscribeRequest = { email: this.email().trim() };
    if (!this.all()) request.services = [...this.chosen()];
    this.sending.set(true);
    const result = await this.api.subscribe(request);
    this.sending.set(false);
    if (result.ok) {
      this.done.set(result.body.message);
      return;
    }
    const emailDetail = result.error?.details?.find((detail) => detail.path === 'email');
    if (emailDetail) this.emailError.set(`E-mail address ${emailDetail.rule}.`);
    else if (result.status === 0) this.problem.set('The status page can’t be reached. Please try again.');
    else this.problem.set(result.error?.message ?? `The subscription failed (HTTP ${result.status}).`);
  }
}
