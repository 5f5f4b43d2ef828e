import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type {
  CertificateStatus,
  DailyBar,
  HistoryResponse,
  LastCheck,
  ServiceDetail,
  ServiceDetailResponse,
  ServiceState,
  StatusResponse,
} from '@app/contracts';
import { formatDuration } from '../catalog/duration.js';
import { certificateWarning, daysLeft } from '../probe/certificate.js';
import { CLUSTER_OPTIONS, DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from '../cluster/cluster.options.js';
import { lastDays, percent, sumDays, sumLast24h, toBar, type DailyRollup } from '../history/rollup.js';
import { describeFailure } from '../probe/reason-class.js';
import { latencyHistory } from './latency-history.js';
import { PageSettings } from './page-settings.js';
import { STATUS_DEFAULTS, toServiceStatus } from './service-summary.js';
import { MonitorService, type ServiceRuntime } from '../monitor.service.js';
import { MaintenanceCache } from '../maintenance/maintenance-cache.js';
import type { StoredCheck } from '../ports.js';
import { ActiveIncidents } from './active-incidents.js';
import { overallStatus } from './overall.js';

/** A serialised response ready to send: bytes, a strong ETag, and the object for in-process readers. */
export interface CachedDocument<T> {
  data: T;
  body: Buffer;
  etag: string;
  builtAt: number;
}

function cache<T>(data: T, now: number): CachedDocument<T> {
  const body = Buffer.from(JSON.stringify(data));
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { data, body, etag, builtAt: now };
}

function toLastCheck(check: StoredCheck | undefined): LastCheck | null {
  if (!check) return null;
  return {
    at: new Date(check.at).toISOString(),
    ok: check.ok,
    latencyMs: check.latencyMs,
    ...(check.statusCode === undefined ? {} : { statusCode: check.statusCode }),
    ...(check.error === undefined ? {} : { error: check.error, reason: describeFailure(check.error) }),
    ...(check.warning === undefined ? {} : { warning: check.warning }),
    ...(check.certificateNotAfter === undefined
      ? {}
      : { certificateExpiresAt: new Date(check.certificateNotAfter).toISOString() }),
  };
}

/** The certificate the most recent check that saw one reported (recent checks survive restarts). */
function certificateOf(runtime: ServiceRuntime, now: number): CertificateStatus | null {
  const check = runtime.recent.find((candidate) => candidate.certificateNotAfter !== undefined);
  if (!check || check.certificateNotAfter === undefined) return null;
  const { check: spec } = runtime.service;
  const warningDays = spec.kind === 'http' || spec.kind === 'tcp' ? spec.certExpiryWarningDays : 0;
  return {
    expiresAt: new Date(check.certificateNotAfter).toISOString(),
    daysLeft: daysLeft(check.certificateNotAfter, now),
    checkedAt: new Date(check.at).toISOString(),
    warning: certificateWarning(check.certificateNotAfter, now, warningDays) !== null,
  };
}

/**
 * Builds the public documents from memory — /api/status never touches the database. The status document is
 * rebuilt at most once per tick and only when something changed; history once a minute.
 */
@Injectable()
export class StatusSnapshotService {
  private status: CachedDocument<StatusResponse> | null = null;
  /** Every service in full, built with `status` (which lists only what the overview shows). */
  private services: readonly ServiceDetail[] = [];
  private history: CachedDocument<HistoryResponse> | null = null;
  private builtFrom = { monitor: -1, incidents: -1, maintenance: -1, page: -1 };
  private historyFrom = -1;
  /** When the next service shown as fresh turns stale (the document must be rebuilt then, changed or not). */
  private nextStaleAt = Number.POSITIVE_INFINITY;
  /** Self-regulating rebuild rate: never more than ~5 % of a core on snapshot building. */
  private lastBuildMs = 0;

  private readonly leaseMs: number;

  constructor(
    private readonly monitor: MonitorService,
    private readonly incidents: ActiveIncidents,
    private readonly maintenance: MaintenanceCache,
    private readonly page: PageSettings = new PageSettings(),
    @Optional() @Inject(CLUSTER_OPTIONS) cluster?: Pick<ClusterOptions, 'leaseMs'>,
  ) {
    this.leaseMs = cluster?.leaseMs ?? DEFAULT_CLUSTER_OPTIONS.leaseMs;
  }

  /**
   * Rebuilds the status document if the runner, incidents or maintenance changed. Called every 200 ms by the scheduler (so a
   * finished check shows quickly), at most once per 20× the last build's duration, and forced after admin changes.
   */
  refresh(now = Date.now(), force = false): void {
    const unchanged =
      this.builtFrom.monitor === this.monitor.version &&
      this.builtFrom.incidents === this.incidents.version &&
      this.builtFrom.maintenance === this.maintenance.version &&
      this.builtFrom.page === this.page.version;
    // Rebuilt at least every 15 s even when idle, so maintenance windows that start or end show up, and when a
    // service's data turns stale.
    if (this.status && unchanged && now - this.status.builtAt < 15_000 && now < this.nextStaleAt) return;
    if (this.status && !force && now - this.status.builtAt < Math.max(200, this.lastBuildMs * 20)) return;
    const started = performance.now();
    this.nextStaleAt = Number.POSITIVE_INFINITY;
    this.builtFrom = {
      monitor: this.monitor.version,
      incidents: this.incidents.version,
      maintenance: this.maintenance.version,
      page: this.page.version,
    };
    this.services = this.page.sort([...this.monitor.all()].map((runtime) => this.serviceDetail(runtime, now)));
    const activeIncidents = this.incidents.list();
    this.status = cache<StatusResponse>(
      {
        generatedAt: new Date(now).toISOString(),
        overall: overallStatus(
          this.services.map((service) => service.state),
          activeIncidents,
        ),
        services: this.services.map((service) => toServiceStatus(service, STATUS_DEFAULTS)),
        defaults: STATUS_DEFAULTS,
        activeIncidents,
        upcomingMaintenance: this.maintenance.upcoming(now),
        page: this.page.page,
      },
      now,
    );
    this.lastBuildMs = performance.now() - started;
  }

  /**
   * The status document, rebuilt first if an incident, a maintenance window or the page settings changed since it
   * was built: an admin's write (or an incident the monitor opened) shows on the very next read, where waiting for
   * the scheduler's next refresh left up to 200 ms in which a client re-reading after its write got the old
   * document. Check results (the monitor's version) keep the scheduler's rate limit: they change every second.
   */
  currentStatus(now = Date.now()): CachedDocument<StatusResponse> {
    if (
      !this.status ||
      this.builtFrom.incidents !== this.incidents.version ||
      this.builtFrom.maintenance !== this.maintenance.version ||
      this.builtFrom.page !== this.page.version
    ) {
      this.refresh(now, true);
    }
    return this.status as CachedDocument<StatusResponse>;
  }

  /**
   * The services of the current status document in full (display order): for in-process readers that need what
   * /api/status leaves out, e.g. `since` for the Statuspage documents. Built together with `currentStatus`.
   */
  currentServices(now = Date.now()): readonly ServiceDetail[] {
    if (!this.status) this.refresh(now);
    return this.services;
  }

  currentHistory(now = Date.now()): CachedDocument<HistoryResponse> {
    const stale = !this.history || now - this.history.builtAt >= 60_000 || this.historyFrom !== this.monitor.size;
    if (stale) {
      this.historyFrom = this.monitor.size;
      const days = lastDays(now, 90);
      const services: HistoryResponse['services'] = {};
      for (const runtime of this.monitor.all()) {
        services[runtime.service.id] = {
          bars: days.map((day) => toBar(day, runtime.rollups.get(day)?.rollup).uptime),
          latency: [...runtime.recent].reverse().map((check) => (check.ok ? check.latencyMs : null)),
        };
      }
      this.history = cache<HistoryResponse>({ generatedAt: new Date(now).toISOString(), days, services }, now);
    }
    return this.history as CachedDocument<HistoryResponse>;
  }

  detail(id: string, now = Date.now()): CachedDocument<ServiceDetailResponse> | null {
    const runtime = this.monitor.get(id);
    if (!runtime) return null;
    const bars: DailyBar[] = lastDays(now, 90).map((day) => toBar(day, runtime.rollups.get(day)?.rollup));
    return cache<ServiceDetailResponse>(
      {
        service: this.serviceDetail(runtime, now),
        recentChecks: runtime.recent.map((check) => ({ ...toLastCheck(check)!, state: check.state })),
        bars,
        certificate: certificateOf(runtime, now),
        latency: latencyHistory(runtime, now),
      },
      now,
    );
  }

  private serviceDetail(runtime: ServiceRuntime, now: number): ServiceDetail {
    const { service, evaluation } = runtime;
    const byDay = new Map<string, DailyRollup>();
    for (const [day, slot] of runtime.rollups) byDay.set(day, slot.rollup);
    const uptimeOf = ({ total, failures }: { total: number; failures: number }) => percent(total - failures, total);
    const window = sumDays(byDay, now, service.slo.windowDays);
    const budget = 100 - service.slo.target;
    const failedPercent = window.total === 0 ? null : (window.failures / window.total) * 100;
    // Paused, or misconfigured (the probe refuses its target): no data the public could trust, never an outage.
    let state: ServiceState = service.paused || runtime.misconfigured !== null ? 'unknown' : evaluation.state;
    if (!service.paused && this.maintenance.isInMaintenance(service.id, now)) state = 'maintenance';
    const last = runtime.recent[0];
    const staleAt =
      last === undefined || service.paused ? Number.POSITIVE_INFINITY : last.at + 2 * service.intervalMs + this.leaseMs;
    const stale = now > staleAt;
    if (!stale && staleAt < this.nextStaleAt) this.nextStaleAt = staleAt;
    return {
      id: service.id,
      name: service.name,
      group: service.group,
      state,
      since: evaluation.since === null ? null : new Date(evaluation.since).toISOString(),
      paused: service.paused,
      intervalSeconds: service.intervalMs / 1000,
      lastCheck: toLastCheck(runtime.recent[0]),
      uptime: {
        '24h': uptimeOf(sumLast24h(byDay, now)),
        '7d': uptimeOf(sumDays(byDay, now, 7)),
        '30d': uptimeOf(sumDays(byDay, now, 30)),
        '90d': uptimeOf(sumDays(byDay, now, 90)),
      },
      slo: {
        target: service.slo.target,
        window: formatDuration(service.slo.windowDays * 86_400_000),
        errorBudgetRemaining: failedPercent === null ? null : Math.round((1 - failedPercent / budget) * 10_000) / 100,
      },
      ...(stale ? { stale: true as const } : {}),
    };
  }
}
