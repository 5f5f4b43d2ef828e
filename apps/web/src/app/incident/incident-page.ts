import { ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { StatusApi } from '../core/api/status-api';
import { Branding } from '../core/branding/branding';
import { AppLink } from '../core/navigation/app-link';
import { pollById } from '../core/polling/poll-by-id';
import { StatusFeed } from '../core/polling/status-feed';
import { DurationView, TimeView } from '../shared/time';
import { impactLabel, incidentStatusLabel } from '../status/incidents/incident-view';
import { NotFoundView } from '../not-found/not-found-page';
import { AffectedServices } from './affected-services';
import { IncidentUpdates } from './incident-updates';

/**
 * /incidents/:id — what alerts and the feed link to: title, impact, affected services, when it started and
 * ended (or how long it has been going on, ticking), and every update, newest first. Polled while open.
 */
@Component({
  selector: 'app-incident-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, TimeView, DurationView, NotFoundView, AffectedServices, IncidentUpdates],
  template: `
    <nav class="crumbs" aria-label="Breadcrumb">
      <a [appLink]="{ kind: 'status' }">← Current status</a>
      <span aria-hidden="true"> · </span>
      <a [appLink]="{ kind: 'history', page: 1 }">Incident history</a>
    </nav>
    @if (failed()) {
      <div class="stale" role="alert">
        <strong>Live updates are interrupted.</strong> The status API can't be reached; showing the last data received.
      </div>
    }
    @if (notFound()) {
      <app-not-found-view what="incident" [id]="id()" />
    } @else if (incident(); as incident) {
      <article class="incident" [attr.data-impact]="incident.impact" data-testid="incident">
        <header>
          <h1>{{ incident.title }}</h1>
          <p class="badges">
            <span class="impact">{{ impact() }}</span>
            <span class="status" [class.resolved]="incident.status === 'resolved'">{{ status() }}</span>
          </p>
        </header>
        <dl class="facts card">
          <div>
            <dt>Started</dt>
            <dd><app-time [at]="incident.startedAt" [seconds]="true" /></dd>
          </div>
          <div>
            @if (incident.resolvedAt; as resolvedAt) {
              <dt>Resolved</dt>
              <dd><app-time [at]="resolvedAt" [seconds]="true" /></dd>
            } @else {
              <dt>Status</dt>
              <dd>Ongoing</dd>
            }
          </div>
          <div>
            <dt>{{ incident.resolvedAt === null ? 'Going on for' : 'Lasted' }}</dt>
            <dd data-testid="duration"><app-duration [from]="incident.startedAt" [to]="incident.resolvedAt" /></dd>
          </div>
          <div>
            <dt>Affected</dt>
            <dd><app-affected-services [services]="affected()" /></dd>
          </div>
        </dl>
        <app-incident-updates [updates]="updates()" />
      </article>
    } @else {
      <h1 class="loading">Loading incident…</h1>
    }
  `,
  styleUrl: './incident-page.css',
})
export class IncidentPage {
  readonly id = input.required<string>();

  private readonly api = inject(StatusApi);
  private readonly feed = inject(StatusFeed);
  private readonly polled = pollById(this.id, (id, etag) => this.api.incident(id, etag));

  protected readonly incident = this.polled.value;
  protected readonly notFound = this.polled.notFound;
  protected readonly failed = this.polled.failed;

  protected readonly impact = computed(() => impactLabel(this.incident()?.impact ?? 'none'));
  protected readonly status = computed(() => incidentStatusLabel(this.incident()?.status ?? 'investigating'));
  protected readonly affected = computed(() => {
    const names = new Map((this.feed.status()?.services ?? []).map((service) => [service.id, service.name]));
    return (this.incident()?.serviceIds ?? []).map((id) => ({ id, name: names.get(id) ?? id, known: names.has(id) }));
  });
  protected readonly updates = computed(() =>
    [...(this.incident()?.updates ?? [])]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .map((update) => ({ ...update, label: incidentStatusLabel(update.status) })),
  );

  constructor() {
    const branding = inject(Branding);
    effect(() => branding.setTitle(this.notFound() ? 'Incident not found' : (this.incident()?.title ?? 'Incident')));
  }
}
