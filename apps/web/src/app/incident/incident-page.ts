import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import type { IncidentSummary } from '@app/contracts';
import { switchMap, tap } from 'rxjs';
import { HttpError, StatusApi } from '../core/api/status-api';
import { Branding } from '../core/branding/branding';
import { APP_CONFIG } from '../core/config/app-config';
import { AppLink } from '../core/navigation/app-link';
import { backoffDelay } from '../core/polling/backoff';
import { PageVisibility } from '../core/polling/page-visibility';
import { poll } from '../core/polling/poll';
import { StatusFeed } from '../core/polling/status-feed';
import { DurationView, TimeView } from '../shared/time';
import { impactLabel, incidentStatusLabel } from '../status/incidents/incident-view';
import { NotFoundView } from '../not-found/not-found-page';

/**
 * /incidents/:id — what alerts and the feed link to: title, impact, affected services, when it started and
 * ended (or how long it has been going on, ticking), and every update, newest first. Polled while open.
 */
@Component({
  selector: 'app-incident-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, TimeView, DurationView, NotFoundView],
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
            <dd>
              @for (service of affected(); track service.id; let last = $last) {
                @if (service.known) {
                  <a [appLink]="{ kind: 'service', id: service.id }">{{ service.name }}</a>
                } @else {
                  {{ service.name }}
                }
                @if (!last) {
                  ,
                }
              } @empty {
                No services
              }
            </dd>
          </div>
        </dl>
        <section aria-labelledby="updates-title">
          <h2 id="updates-title">Updates</h2>
          <ol class="timeline">
            @for (update of updates(); track $index) {
              <li>
                <p class="update-status">{{ update.label }}</p>
                <p class="message">{{ update.message }}</p>
                <p class="when"><app-time [at]="update.at" [seconds]="true" /></p>
              </li>
            }
          </ol>
        </section>
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
  private readonly config = inject(APP_CONFIG);
  private readonly feed = inject(StatusFeed);

  protected readonly incident = signal<IncidentSummary | null>(null);
  protected readonly notFound = signal(false);
  protected readonly failed = signal(false);

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
    const visibility = inject(PageVisibility);
    const branding = inject(Branding);
    toObservable(this.id)
      .pipe(
        switchMap((id) => {
          this.incident.set(null);
          this.notFound.set(false);
          let etag: string | null = null;
          return poll({
            request: () =>
              this.api.incident(id, etag).pipe(
                tap((result) => {
                  if (result.kind === 'fresh') etag = result.etag;
                }),
              ),
            intervalMs: this.config.pollIntervalMs,
            backoff: (failures) => backoffDelay(failures, this.config.pollIntervalMs, this.config.maxBackoffMs),
            visible$: visibility.visible$,
          });
        }),
        takeUntilDestroyed(),
      )
      .subscribe((event) => {
        if (event.ok) {
          this.failed.set(false);
          if (event.value.kind === 'fresh') this.incident.set(event.value.body);
        } else if (event.error instanceof HttpError && event.error.status === 404) {
          this.notFound.set(true);
        } else {
          this.failed.set(true);
        }
      });
    effect(() => branding.setTitle(this.notFound() ? 'Incident not found' : (this.incident()?.title ?? 'Incident')));
  }
}
