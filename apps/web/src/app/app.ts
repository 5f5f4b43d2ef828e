import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { APP_CONFIG } from './core/config/app-config';
import { AppLink } from './core/navigation/app-link';
import { Navigation } from './core/navigation/navigation';
import { ServiceDetailPage } from './service-detail/service-detail-page';
import { StatusPage } from './status/status-page';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, StatusPage, ServiceDetailPage],
  template: `
    <a class="skip" href="#main">Skip to content</a>
    <header class="site-header">
      <div class="container">
        <a class="brand" [appLink]="{ kind: 'status' }">
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
          <span>CloudOps Status</span>
        </a>
      </div>
    </header>
    <main id="main" class="container" tabindex="-1">
      @let current = route();
      @switch (current.kind) {
        @case ('service') {
          <!-- Lazy: the detail page is its own chunk, loaded only when someone opens a service. -->
          @defer (on immediate) {
            <app-service-detail-page [id]="current.id" />
          } @placeholder {
            <p class="loading">Loading…</p>
          }
        }
        @default {
          <app-status-page />
        }
      }
    </main>
    <footer class="site-footer">
      <div class="container">
        <span>CloudOps Status Page</span>
        <a [href]="apiBaseUrl + '/status'" rel="nofollow">Status API (JSON)</a>
      </div>
    </footer>
  `,
})
export class App {
  protected readonly route = inject(Navigation).route;
  protected readonly apiBaseUrl = inject(APP_CONFIG).apiBaseUrl;

  constructor() {
    const title = inject(Title);
    effect(() => {
      if (this.route().kind === 'status') title.setTitle('CloudOps Status');
    });
  }
}
