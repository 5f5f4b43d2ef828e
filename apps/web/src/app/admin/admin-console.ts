import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  DOCUMENT,
  effect,
  inject,
  input,
  ViewEncapsulation,
} from '@angular/core';
import { Title } from '@angular/platform-browser';
import { AppLink } from '../core/navigation/app-link';
import { Clock } from '../core/polling/clock';
import { AuditPage } from './audit/audit-page';
import { adminRoute, parseAdminPath, sectionOf, type AdminSection, type AdminView } from './admin-route';
import { IncidentEdits } from './incidents/incident-edits';
import { IncidentNewPage } from './incidents/incident-new-page';
import { IncidentPage } from './incidents/incident-page';
import { IncidentsPage } from './incidents/incidents-page';
import { MaintenancePage } from './maintenance/maintenance-page';
import { formatClockTime } from './shared/local-time';
import { ServiceForm } from './services/service-form';
import { ServicesPage } from './services/services-page';
import { AdminSession } from './session/admin-session';
import { SignIn } from './session/sign-in';
import { afterRender } from './shared/after-render';
import { Announcer } from './shared/announcer';
import { ConfirmDialog, Confirmer } from './shared/confirm-dialog';

const SECTIONS: { section: AdminSection; label: string }[] = [
  { section: 'services', label: 'Services' },
  { section: 'incidents', label: 'Incidents' },
  { section: 'maintenance', label: 'Maintenance' },
  { section: 'audit', label: 'Audit log' },
];

function viewTitle(view: AdminView): string {
  switch (view.kind) {
    case 'services':
      return 'Services';
    case 'service-new':
      return 'New service';
    case 'service':
      return `Service ${view.id}`;
    case 'incidents':
      return 'Incidents';
    case 'incident-new':
      return 'New incident';
    case 'incident':
      return 'Incident';
    case 'maintenance':
      return 'Maintenance';
    case 'audit':
      return 'Audit log';
    case 'not-found':
      return 'Not found';
  }
}

/**
 * /admin: the admin console, a lazy chunk of its own (the public page never loads it). Signed out it is the
 * sign-in form; signed in, a section navigation over the four views. Its styles are global to the console
 * (ViewEncapsulation.None, every rule under `app-admin-console`) so all views share one set of form and table
 * styles, and they arrive only with this chunk.
 */
@Component({
  selector: 'app-admin-console',
  changeDetection: ChangeDetectionStrategy.OnPush,
  encapsulation: ViewEncapsulation.None,
  providers: [Announcer, Confirmer, IncidentEdits],
  imports: [
    AppLink,
    ConfirmDialog,
    SignIn,
    ServicesPage,
    ServiceForm,
    IncidentsPage,
    IncidentNewPage,
    IncidentPage,
    MaintenancePage,
    AuditPage,
  ],
  templateUrl: './admin-console.html',
  styleUrl: './admin-console.css',
})
export class AdminConsole {
  /** The path below /admin, from the app shell. */
  readonly path = input.required<string>();

  protected readonly session = inject(AdminSession);
  protected readonly announcer = inject(Announcer);
  private readonly clock = inject(Clock);

  protected readonly view = computed(() => parseAdminPath(this.path()));
  protected readonly section = computed(() => sectionOf(this.view()));
  protected readonly nav = SECTIONS.map((entry) => ({ ...entry, route: adminRoute({ kind: entry.section }) }));
  protected readonly servicesRoute = adminRoute({ kind: 'services' });
  /** Seconds until the API accepts requests from this address again (429 Retry-After), 0 when it does. */
  protected readonly waitSeconds = computed(() => {
    const until = this.session.blockedUntil();
    if (until === null) return 0;
    // The clock ticks once a second, so it may lag Date.now(): never show more than the API asked for.
    return Math.max(0, Math.min(this.session.blockedSeconds(), Math.ceil((until - this.clock.now()) / 1000)));
  });
  protected readonly retryAt = computed(() => {
    const until = this.session.blockedUntil();
    return until === null ? '' : formatClockTime(until);
  });

  constructor() {
    const title = inject(Title);
    const document = inject(DOCUMENT);
    // Console pages are not for search engines (robots.txt says so too); Angular's Meta service would cost the
    // public page ~0.5 KB gzip, because a library module's code lands in the chunk the public page loads.
    const robots = document.createElement('meta');
    robots.name = 'robots';
    robots.content = 'noindex, nofollow';
    document.head.appendChild(robots);
    inject(DestroyRef).onDestroy(() => robots.remove());

    effect(() => {
      const name = this.session.signedIn() ? viewTitle(this.view()) : 'Sign in';
      title.setTitle(`${name} — Admin — CloudOps Status`);
    });

    // A new view (or signing in/out) moves focus to its heading, as a page load would put the reader at the top.
    let first = true;
    effect(() => {
      this.view();
      this.session.signedIn();
      if (first) {
        first = false;
        return;
      }
      afterRender(() => document.querySelector<HTMLElement>('app-admin-console .view-title')?.focus());
    });
  }

  protected signOut(): void {
    this.announcer.clear();
    this.session.signOut();
  }
}
