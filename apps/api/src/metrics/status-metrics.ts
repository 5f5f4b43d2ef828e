import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { INCIDENT_IMPACTS, SERVICE_STATES, type OverallStatus } from '@app/contracts';
import { IncidentCache, OutboxDispatcher, OutboxStore, type NotificationChannel } from '@app/incidents';
import {
  MonitoringEvents,
  MonitorService,
  Prober,
  reasonClass,
  StatusSnapshotService,
  type CheckCompleted,
} from '@app/monitoring';
import { CheckSeries } from './check-series.js';

const OVERALL: readonly OverallStatus[] = ['operational', 'degraded', 'partial_outage', 'major_outage', 'maintenance'];
/** The outbox is counted in DynamoDB; a scrape reuses a count younger than this. */
const PENDING_TTL_MS = 15_000;

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');
export interface MetricsOptions {
  /** 0 = no metrics listener. */
  port: number;
  host: string;
}

/**
 * The Prometheus metrics of the process, in a registry of its own. Labels are bounded: `service` is a catalog id
 * (removed with the service), `state`/`result`/`reason`/`channel`/`status` come from fixed lists; no URL, error
 * text or client input is ever a label. Per-check numbers come from the runner's events; the rest is read from
 * memory at scrape time (pending outbox items: a COUNT query, at most every 15 s).
 */
@Injectable()
export class StatusMetrics implements OnModuleDestroy {
  readonly registry = new Registry();
  /** statuspage_checks_total and statuspage_check_duration_seconds, per service. */
  private readonly checks: CheckSeries;
  private readonly slip: Histogram;
  private readonly subscription: Subscription;
  private pending: { at: number; counts: Map<NotificationChannel, number> } | null = null;

  constructor(
    events: MonitoringEvents,
    private readonly monitor: MonitorService,
    private readonly snapshot: StatusSnapshotService,
    private readonly incidents: IncidentCache,
    private readonly outbox: OutboxDispatcher,
    private readonly outboxStore: OutboxStore,
    private readonly prober: Prober,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // The first per-service metric written: removed services are dropped before anything is.
    this.checks = new CheckSeries(this.registry, [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], () =>
      this.forgetRemoved(),
    );
    this.slip = new Histogram({
      name: 'statuspage_scheduler_slip_seconds',
      help: 'How late checks start after their due time',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.gauges();
    this.monotonic();
    this.subscription = events.checkCompleted$.subscribe((check) => this.observe(check));
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  private observe(check: CheckCompleted): void {
    this.checks.observe(check.serviceId, check.ok, reasonClass(check.error), check.latencyMs / 1000);
    this.slip.observe(check.slipMs / 1000);
  }

  /** Forgets the series of services that are no longer monitored. */
  private forgetRemoved(): void {
    this.checks.forgetUnless((service) => this.monitor.find(service) !== undefined);
  }

  /** A gauge whose samples are written by `fill` at scrape time. */
  private gauge<L extends string>(
    config: { name: string; help: string; labelNames?: L[] },
    fill: (gauge: Gauge<L>) => void | Promise<void>,
  ): void {
    const gauge: Gauge<L> = new Gauge<L>({ ...config, registers: [this.registry], collect: () => fill(gauge) });
  }

  private gauges(): void {
    this.gauge(
      {
        name: 'statuspage_service_up',
        help: '1 when the service answers (up or degraded), 0 when down; absent while never checked or paused',
        labelNames: ['service'],
      },
      (gauge) => {
        gauge.reset();
        for (const { service, state } of this.monitor.list()) {
          if (service.paused || state === 'unknown') continue;
          gauge.set({ service: service.id }, state === 'down' ? 0 : 1);
        }
      },
    );
    this.gauge(
      {
        name: 'statuspage_service_state',
        help: 'The state the page shows for each service, one-hot (up|degraded|down|unknown|maintenance)',
        labelNames: ['service', 'state'],
      },
      (gauge) => {
        gauge.reset();
        for (const service of this.snapshot.currentStatus().data.services)
          for (const state of SERVICE_STATES)
            gauge.set({ service: service.id, state }, service.state === state ? 1 : 0);
      },
    );
    this.gauge(
      {
        name: 'statuspage_service_last_latency_seconds',
        help: 'Duration of the most recent check of each service',
        labelNames: ['service'],
      },
      (gauge) => {
        gauge.reset();
        for (const service of this.snapshot.currentStatus().data.services)
          if (service.lastCheck) gauge.set({ service: service.id }, service.lastCheck.latencyMs / 1000);
      },
    );
    this.gauge(
      {
        name: 'statuspage_page_status',
        help: 'The page headline, one-hot (operational|degraded|partial_outage|major_outage|maintenance)',
        labelNames: ['status'],
      },
      (gauge) => {
        const overall = this.snapshot.currentStatus().data.overall;
        for (const status of OVERALL) gauge.set({ status }, status === overall ? 1 : 0);
      },
    );
    this.gauge(
      {
        name: 'statuspage_probes_on_thread',
        help: '1 when HTTP, TCP and DNS checks run on the probe thread; 0 on the main thread (PROBE_THREAD=false, or the thread could not start)',
      },
      (gauge) => gauge.set(this.prober.runsOn === 'probe thread' ? 1 : 0),
    );
    this.gauge(
      { name: 'statuspage_open_incidents', help: 'Open incidents by impact', labelNames: ['impact'] },
      (gauge) => {
        const open = this.incidents.list();
        for (const impact of INCIDENT_IMPACTS)
          gauge.set({ impact }, open.filter((incident) => incident.impact === impact).length);
      },
    );
    this.gauge(
      {
        name: 'statuspage_outbox_pending',
        help: 'Notifications waiting for delivery, per channel (sns|slack|subscribers)',
        labelNames: ['channel'],
      },
      async (gauge) => {
        gauge.reset();
        for (const [channel, count] of await this.pendingCounts()) gauge.set({ channel }, count);
      },
    );
  }

  /** Counters kept elsewhere as running totals (runner, dispatcher), exported by adding what changed since. */
  private monotonic(): void {
    let skipped = 0;
    const skippedSlots: Counter = new Counter({
      name: 'statuspage_scheduler_skipped_slots_total',
      help: 'Check slots skipped: a service still being checked, the process behind, or a slot within half an interval of the last check',
      registers: [this.registry],
      collect: () => {
        const now = this.monitor.stats().slip.skippedSlots;
        skippedSlots.inc(Math.max(0, now - skipped));
        skipped = now;
      },
    });
    const delivered = new Map<string, number>();
    const deliveries: Counter<'channel' | 'result'> = new Counter({
      name: 'statuspage_outbox_deliveries_total',
      help: 'Delivery attempts per channel and result (sent|retried|failed: given up)',
      labelNames: ['channel', 'result'],
      registers: [this.registry],
      collect: () => {
        for (const [channel, counts] of this.outbox.deliveryCounts()) {
          for (const result of ['sent', 'retried', 'failed'] as const) {
            const key = `${channel}/${result}`;
            deliveries.inc({ channel, result }, Math.max(0, counts[result] - (delivered.get(key) ?? 0)));
            delivered.set(key, counts[result]);
          }
        }
      },
    });
  }

  private async pendingCounts(now = Date.now()): Promise<Map<NotificationChannel, number>> {
    if (this.pending && now - this.pending.at < PENDING_TTL_MS) return this.pending.counts;
    const counts = new Map<NotificationChannel, number>();
    for (const channel of this.outbox.enabledChannels)
      counts.set(channel, await this.outboxStore.pendingCount(channel));
    this.pending = { at: now, counts };
    return counts;
  }
}
