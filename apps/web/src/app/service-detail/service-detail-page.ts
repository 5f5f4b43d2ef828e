import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { AppLink } from '../core/navigation/app-link';
import type { ServiceDetailResponse } from '@app/contracts';
import { switchMap, tap } from 'rxjs';
import { StatusApi, HttpError } from '../core/api/status-api';
import { APP_CONFIG } from '../core/config/app-config';
import { backoffDelay } from '../core/polling/backoff';
import { PageVisibility } from '../core/polling/page-visibility';
import { poll } from '../core/polling/poll';
import { StatusFeed } from '../core/polling/status-feed';
import { Branding } from '../core/branding/branding';
import { NotFoundView } from '../not-found/not-found-page';
import { failureText, formatLatency, formatPercent, formatTime, stateLabel } from '../shared/format';
import { AgoView, TimeView } from '../shared/time';
import { LatencyChart } from './latency-chart';
import { StateBadge } from '../shared/state-badge';
import { formatBudget } from '../status/service-card/service-card';
import { UptimeBars } from '../status/uptime-bars/uptime-bars';

/** /services/:id — one service's 90-day history, latency of recent checks and the raw check log. */
@Component({
  selector: 'app-service-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, StateBadge, UptimeBars, LatencyChart, TimeView, AgoView, NotFoundView],
  templateUrl: './service-detail-page.html',
  styleUrl: './service-detail-page.css',
})
export class ServiceDetailPage {
  /** Service id from the URL. */
  readonly id = input.required<string>();

  private readonly api = inject(StatusApi);
  private readonly config = inject(APP_CONFIG);
  private readonly feed = inject(StatusFeed);

  protected readonly detail = signal<ServiceDetailResponse | null>(null);
  protected readonly notFound = signal(false);
  protected readonly failed = signal(false);

  protected readonly service = computed(() => this.detail()?.service ?? null);
  /** The TLS certificate the last check saw: when it expires, how long that is, and whether it is soon. */
  protected readonly certificate = computed(() => {
    const certificate = this.detail()?.certificate;
    if (!certificate) return null;
    const days = certificate.daysLeft;
    const left =
      days < 0
        ? `expired ${-days} day${days === -1 ? '' : 's'} ago`
        : days === 0
          ? 'today'
          : `in ${days} day${days === 1 ? '' : 's'}`;
    return { expires: formatTime(certificate.expiresAt), left, warning: certificate.warning };
  });
  protected readonly bars = computed(() =>
    (this.detail()?.bars ?? []).map((bar) => ({
      date: bar.date,
      uptime: bar.uptime,
      detail:
        bar.checks === 0
          ? null
          : `${bar.checks.toLocaleString('en')} checks, ${bar.failures.toLocaleString('en')} failed${
              bar.avgLatencyMs === null ? '' : `, avg ${formatLatency(bar.avgLatencyMs)}`
            }`,
    })),
  );
  protected readonly checks = computed(() =>
    (this.detail()?.recentChecks ?? []).slice(0, 50).map((check) => ({
      ...check,
      result: check.ok ? 'OK' : 'Failed',
      latency: formatLatency(check.latencyMs),
      stateText: stateLabel(check.state),
      failure: check.ok ? '' : failureText(check),
    })),
  );
  protected readonly failure = computed(() => failureText(this.service()?.lastCheck));
  protected readonly incidents = computed(() => {
    const id = this.id();
    return this.feed.knownIncidents().filter((incident) => incident.serviceIds.includes(id));
  });
  protected readonly stats = computed(() => {
    const service = this.service();
    if (service === null) return [];
    return [
      {
        // A failed check has no latency worth showing: how long it took to fail is not how fast the service is.
        label: service.lastCheck?.ok === false ? 'Last check' : 'Current latency',
        value:
          service.lastCheck === null
            ? '—'
            : service.lastCheck.ok
              ? formatLatency(service.lastCheck.latencyMs)
              : 'Failed',
      },
      { label: 'Uptime 24h', value: formatPercent(service.uptime['24h']) },
      { label: 'Uptime 7d', value: formatPercent(service.uptime['7d']) },
      { label: 'Uptime 30d', value: formatPercent(service.uptime['30d']) },
      { label: 'Uptime 90d', value: formatPercent(service.uptime['90d']) },
      { label: `SLO (${service.slo.window})`, value: formatPercent(service.slo.target, 3).replace(/\.?0+%$/, '%') },
      { label: 'Error budget', value: formatBudget(service.slo.errorBudgetRemaining) },
      { label: 'Checked every', value: `${service.intervalSeconds} s` },
    ];
  });

  constructor() {
    // Active and recent incidents (bar tooltips) come from the shared feed, also when this page is opened directly.
    this.feed.connect();
    const visibility = inject(PageVisibility);
    const branding = inject(Branding);
    toObservable(this.id)
      .pipe(
        switchMap((id) => {
          this.detail.set(null);
          this.notFound.set(false);
          let etag: string | null = null;
          return poll({
            // Revalidate with the last ETag: an unchanged service costs a 304, and the view stays as it is.
            request: () =>
              this.api.service(id, etag).pipe(
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
          if (event.value.kind === 'fresh') this.detail.set(event.value.body);
        } else if (event.error instanceof HttpError && event.error.status === 404) {
          this.notFound.set(true);
        } else {
          this.failed.set(true);
        }
      });
    effect(() => branding.setTitle(this.notFound() ? 'Service not found' : (this.service()?.name ?? this.id())));
  }
}
