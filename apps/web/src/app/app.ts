import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { APP_CONFIG } from './core/config/app-config';
import { AppLink } from './core/navigation/app-link';
import { Navigation } from './core/navigation/navigation';
import { AdminConsole } from './admin/admin-console';
import { ServiceDetailPage } from './service-detail/service-detail-page';
import { StatusPage } from './status/status-page';

@Component({
  selector: 'app-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, StatusPage, ServiceDetailPage, AdminConsole],
  template: `
    @let current = route();
    <a class="skip" href="#main">Skip to content</a>
    <header class="site-header">
      <div class="container" [class.wide]="current.kind === 'admin'">
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
