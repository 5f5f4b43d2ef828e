import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { APP_CONFIG } from './core/config/app-config';
import { Branding } from './core/branding/branding';
import { AppLink } from './core/navigation/app-link';
import { Navigation } from './core/navigation/navigation';
import { StatusFeed } from './core/polling/status-feed';
import { AdminConsole } from './admin/admin-console';
import { HistoryPage } from './history/history-page';
import { IncidentPage } from './incident/incident-page';
import { MaintenancePage } from './incident/maintenance-page';
import { NotFoundPage } from './not-found/not-found-page';
import { ServiceDetailPage } from './service-detail/service-detail-page';
import { StatusPage } from './status/status-page';
import { SubscribePanel } from './subscribe/subscribe-panel';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    AppLink,
    StatusPage,
    ServiceDetailPage,
    IncidentPage,
    MaintenancePage,
    HistoryPage,
    NotFoundPage,
    AdminConsole,
    SubscribePanel,
  ],
  template: `
    @let current = route();
    <a class="skip" href="#main">Skip to content</a>
    <header class="site-header">
      <div class="container" [class.wide]="current.kind === 'admin'">
        <a class="brand" [appLink]="{ kind: 'status' }" data-testid="brand">
          @if (branding.logoUrl(); as logo) {
            <img class="brand-logo" [src]="logo" [alt]="branding.title()" height="28" />
          } @else {
            <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="8" fill="var(--accent)" />
              <path
                d="M7 17h4l3-7 4 13 3-6h4"
                fill="none"
                stroke="#fff"
                stroke-width="2.5"
                stroke-linecap="round"
                stroke-linejoin="round"
              />
            </svg>
            <span class="brand-name">{{ branding.title() }}</span>
          }
        </a>
        @if (current.kind !== 'admin') {
          <nav class="site-nav" aria-label="Page">
            <a [appLink]="{ kind: 'history', page: 1 }">History</a>
            @if (branding.subscriptions()) {
              <button
                type="button"
                class="button-link"
                [attr.aria-expanded]="subscribeOpen()"
                aria-controls="subscribe"
                (click)="subscribeOpen.set(!subscribeOpen())"
              >
                Subscribe to updates
              </button>
            }
          </nav>
        }
      </div>
    </header>
    @if (subscribeOpen() && current.kind !== 'admin') {
      <!-- Lazy: the form is its own chunk, loaded when a visitor asks for it. -->
      @defer (on immediate) {
        <app-subscribe-panel id="subscribe" (closed)="subscribeOpen.set(false)" />
      }
    }
    <main id="main" class="container" [class.wide]="current.kind === 'admin'" tabindex="-1">
      @switch (current.kind) {
        @case ('service') {
          <!-- Lazy: the detail page is its own chunk, loaded only when someone opens a service. -->
          @defer (on immediate) {
            <app-service-detail-page [id]="current.id" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @case ('incident') {
          @defer (on immediate) {
            <app-incident-page [id]="current.id" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @case ('maintenance') {
          @defer (on immediate) {
            <app-maintenance-page [id]="current.id" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @case ('history') {
          @defer (on immediate) {
            <app-history-page [page]="current.page" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @case ('not-found') {
          @defer (on immediate) {
            <app-not-found-page [path]="current.path" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @case ('admin') {
          <!-- Lazy: the admin console is its own chunk; the public page never downloads it. -->
          @defer (on immediate) {
            <app-admin-console [path]="current.path" />
          } @placeholder {
            <p class="loading">Loading the admin console…</p>
          }
        }
        @default {
          <app-status-page />
        }
      }
    </main>
    <footer class="site-footer">
      <div class="container" [class.wide]="current.kind === 'admin'">
        <span>{{ branding.title() }}</span>
        <nav aria-label="Footer">
          @for (link of branding.links(); track $index) {
            <a [href]="link.url" rel="noopener">{{ link.label }}</a>
          }
          @if (branding.supportUrl(); as support) {
            <a [href]="support" rel="noopener" data-testid="support">Report a problem</a>
          }
          <a [appLink]="{ kind: 'history', page: 1 }">Incident history</a>
          <a [href]="feedUrl" type="application/atom+xml" data-testid="feed-link">Atom feed</a>
          <a [href]="apiBaseUrl + '/status'" rel="nofollow">Status API (JSON)</a>
        </nav>
      </div>
    </footer>
  `,
})
export class App {
  protected readonly route = inject(Navigation).route;
  protected readonly apiBaseUrl = inject(APP_CONFIG).apiBaseUrl;
  protected readonly feedUrl = `${this.apiBaseUrl}/incidents/feed.atom`;
  protected readonly branding = inject(Branding);
  protected readonly subscribeOpen = signal(false);
  private readonly isStatus = computed(() => this.route().kind === 'status');

  constructor() {
    // Branding, service names and incidents come from the status feed on every public page.
    inject(StatusFeed).connect();
    effect(() => {
      if (this.isStatus()) this.branding.setTitle(null);
    });
  }
}
