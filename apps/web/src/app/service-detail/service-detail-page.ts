import { ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { AppLink } from '../core/navigation/app-link';
import { StatusApi } from '../core/api/status-api';
import { pollById } from '../core/polling/poll-by-id';
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
  private readonly feed = inject(StatusFeed);
  private readonly polled = pollById(this.id, (id, etag) => this.api.service(id, etag));

  protected readonly detail = this.polled.value;
  protected readonly notFound = this.polled.notFound;
  protected readonly failed = this.polled.failed;

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
    const branding = inject(Branding);
    effect(() => branding.setTitle(this.notFound() ? 'Service not found' : (this.service()?.name ?? this.id())));
  }
}
