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
  ServiceStatus,
  StatusResponse,
} from '@app/contracts';
import { formatDuration } from '../catalog/duration.js';
import { certificateWarning, daysLeft } from '../probe/certificate.js';
import { CLUSTER_OPTIONS, DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from '../cluster/cluster.options.js';
import { lastDays, percent } from '../history/rollup.js';
import { dayBar, shownTotals } from '../history/shown-days.js';
import { describeFailure } from '../probe/reason-class.js';
import { latencyHistory } from './latency-history.js';
import { PageSettings } from './page-settings.js';
import { STATUS_DEFAULTS, toServiceStatus } from './service-summary.js';
import { MonitorService, type ServiceRuntime } from '../monitor.service.js';
import { MaintenanceCache } from '../maintenance/maintenance-cache.js';
import type { StoredCheck } from '../ports.js';
import { ActiveIncidents } from './active-incidents.js';
import { overallStatus } from './overall.js';
import { BuildCost } from './build-cost.js';

const HOUR_MS = 3_600_000;
/** A rebuild waits when a check is due within its expected duration plus this. */
const DUE_MARGIN_MS = 2;
/** ...but never longer than this, so the page keeps following a runner that is never idle. */
const MAX_DEFER_MS = 1000;

/** A serialised response ready to send: bytes, a strong ETag, and the object for in-process readers. */
export interface CachedDocument<T> {
  data: T;
  body: Buffer;
  etag: string;
  builtAt: number;
}

function cache<T>(data: T, now: number, json: string = JSON.stringify(data)): CachedDocument<T> {
  const body = Buffer.from(json);
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return { data, body, etag, builtAt: now };
}

/**
 * `JSON.stringify(document)` from the services' JSON already made: the same text (a spec holds it to that), without
 * serialising again the services that did not change since the last build.
 */
export function statusJson(document: StatusResponse, services: readonly string[]): string {
  const { generatedAt, overall, services: _listed, ...rest } = document;
  const head = JSON.stringify({ generatedAt, overall });
  const tail = JSON.stringify(rest);
  const list = `"services":[${services.join(',')}]`;
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${list}${tail.length > 2 ? ',' : ''}${tail.slice(1)}`;
}

/**
 * When a service last checked at `lastCheckAt` shows as stale: no news for two intervals and a lease (a replica that
 * died holding its shard is replaced within a lease).
 */
export function staleAt(lastCheckAt: number, intervalMs: number, leaseMs: number): number {
  return lastCheckAt + 2 * intervalMs + leaseMs;
}

/** What a service's entry was built from; the entry is reused while all of it is the same (compared by identity). */
interface ServiceEntry {
  service: ServiceRuntime['service'];
  evaluation: ServiceRuntime['evaluation'];
  recent: ServiceRuntime['recent'];
  newest: StoredCheck | undefined;
  rollups: ServiceRuntime['rollups'];
  days: number;
  finished: ServiceRuntime['finished'];
  /** The packed days' version (a day packed or unpacked need not change the number of slots). */
  packed: number;
  misconfigured: string | null;
  maintenance: boolean;
  stale: boolean;
  /** The rolling 24 h window and the day windows move with the hour. */
  hour: number;
  detail: ServiceDetail;
  json: string;
  status: ServiceStatus;
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
  const check = runtime.recent.newestWithCertificate();
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
 * rebuilt at most once per tick and only when something changed; history once a minute and when a service is
 * added or removed.
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
  /** Self-regulating rebuild rate: about 5 % of a core at most on snapshot building. */
  private readonly buildCost = new BuildCost();
  /** Each service's last built entry: a rebuild serialises only the services whose inputs changed. */
  private readonly entries = new WeakMap<ServiceRuntime, ServiceEntry>();
  private order: {
    page: number;
    runtimes: readonly ServiceRuntime[];
    services: readonly ServiceRuntime['service'][];
    sorted: readonly ServiceRuntime[];
  } | null = null;
  /** Since when a due rebuild has been put off because a check was about to start (0: none put off). */
  private deferredSince = 0;
  /** `status` is a stored page (StoredPageService), served until the first build after the boot's read. */
  private stored = false;

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
   * Rebuilds the status document if the runner, incidents or maintenance changed. Called every 200 ms by the
   * scheduler (so a finished check shows quickly), spaced by 20× what a build costs (the median of the last nine,
   * `BuildCost`), and forced after admin changes.
   */
  refresh(now = Date.now(), force = false): void {
    if (this.stored) {
      this.stored = false;
      this.status = null;
    }
    const unchanged =
      this.builtFrom.monitor === this.monitor.version &&
      this.builtFrom.incidents === this.incidents.version &&
      this.builtFrom.maintenance === this.maintenance.version &&
      this.builtFrom.page === this.page.version;
    // Rebuilt at least every 15 s even when idle, so maintenance windows that start or end show up, and when a
    // service's data turns stale.
    if (this.status && unchanged && now - this.status.builtAt < 15_000 && now < this.nextStaleAt) return;
    if (this.status && !force && now - this.status.builtAt < this.buildCost.spacingMs) return;
    if (this.status && !force && this.checkDueSoon(now)) return;
    this.deferredSince = 0;
    const started = performance.now();
    this.nextStaleAt = Number.POSITIVE_INFINITY;
    this.builtFrom = {
      monitor: this.monitor.version,
      incidents: this.incidents.version,
      maintenance: this.maintenance.version,
      page: this.page.version,
    };
    const entries = this.displayOrder().map((runtime) => this.entry(runtime, now));
    this.services = entries.map((entry) => entry.detail);
    const activeIncidents = this.incidents.list();
    const document: StatusResponse = {
      generatedAt: new Date(now).toISOString(),
      overall: overallStatus(
        this.services.map((service) => service.state),
        activeIncidents,
      ),
      services: entries.map((entry) => entry.status),
      defaults: STATUS_DEFAULTS,
      activeIncidents,
      upcomingMaintenance: this.maintenance.upcoming(now),
      page: this.page.page,
    };
    this.status = cache<StatusResponse>(
      document,
      now,
      statusJson(
        document,
        entries.map((entry) => entry.json),
      ),
    );
    this.buildCost.record(performance.now() - started);
  }

  /**
   * The runtimes in display order, sorted again only when the page's order or a service (its name or group: an
   * admin change replaces the service object) or the set of services changed.
   */
  private displayOrder(): readonly ServiceRuntime[] {
    const runtimes = [...this.monitor.all()];
    const last = this.order;
    if (
      last !== null &&
      last.page === this.page.version &&
      last.runtimes.length === runtimes.length &&
      runtimes.every((runtime, index) => runtime === last.runtimes[index] && runtime.service === last.services[index])
    )
      return last.sorted;
    const sorted = this.page
      .sort(
        runtimes.map((runtime) => ({
          id: runtime.service.id,
          name: runtime.service.name,
          group: runtime.service.group,
          runtime,
        })),
      )
      .map((entry) => entry.runtime);
    this.order = { page: this.page.version, runtimes, services: runtimes.map((runtime) => runtime.service), sorted };
    return sorted;
  }

  /**
   * Whether a rebuild now would hold up a check: one is due before the build (as long as builds take, `BuildCost`,
   * and a margin) would be done. The rebuild waits for the gap after it — never longer than a second, so on a
   * runner that is never idle the page still follows (and an admin change, `force`, never waits).
   */
  private checkDueSoon(now: number): boolean {
    const due = this.monitor.nextDueAt();
    if (due === null || due - now > this.buildCost.expectedMs + DUE_MARGIN_MS) {
      return false;
    }
    if (this.deferredSince === 0) this.deferredSince = now;
    return now - this.deferredSince < MAX_DEFER_MS;
  }

  /**
   * The status document, rebuilt first if an incident, a maintenance window or the page settings changed since it
   * was built: an admin's write (or an incident the monitor opened) shows on the very next read, where waiting for
   * the scheduler's next refresh left up to 200 ms in which a client re-reading after its write got the old
   * document. Check results (the monitor's version) keep the scheduler's rate limit: they change every second.
   */
  currentStatus(now = Date.now()): CachedDocument<StatusResponse> {
    if (this.stored) return this.status as CachedDocument<StatusResponse>;
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
   * Serves a stored page (its own time as `builtAt`) until the runner's first `refresh`: the boot's read of every
   * service is not in yet, so the page cannot be built; nothing else this service builds may be served meanwhile.
   */
  serveStored(document: StatusResponse, at: number): void {
    this.status = cache<StatusResponse>(document, at);
    this.services = [];
    this.stored = true;
  }

  /** The status served is a stored page (see `serveStored`). */
  get isStored(): boolean {
    return this.stored;
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
    const stale = !this.history || now - this.history.builtAt >= 60_000 || this.historyFrom !== this.monitor.membership;
    if (stale) {
      this.historyFrom = this.monitor.membership;
      const days = lastDays(now, 90);
      const services: HistoryResponse['services'] = {};
      for (const runtime of this.monitor.all()) {
        services[runtime.service.id] = {
          bars: days.map((day) => dayBar(runtime, day).uptime),
          latency: runtime.recent.latencies(),
        };
      }
      this.history = cache<HistoryResponse>({ generatedAt: new Date(now).toISOString(), days, services }, now);
    }
    return this.history as CachedDocument<HistoryResponse>;
  }

  detail(id: string, now = Date.now()): CachedDocument<ServiceDetailResponse> | null {
    const runtime = this.monitor.get(id);
    if (!runtime) return null;
    const bars: DailyBar[] = lastDays(now, 90).map((day) => dayBar(runtime, day));
    return cache<ServiceDetailResponse>(
      {
        service: this.serviceDetail(runtime, now),
        recentChecks: runtime.recent.toArray().map((check) => ({ ...toLastCheck(check)!, state: check.state })),
        bars,
        certificate: certificateOf(runtime, now),
        latency: latencyHistory(runtime, now),
      },
      now,
    );
  }

  /** The service's entry: the one built before when nothing it is made of changed, else a new one. */
  private entry(runtime: ServiceRuntime, now: number): ServiceEntry {
    const { service, evaluation, recent, rollups, finished, misconfigured } = runtime;
    const shown = this.shown(runtime, now);
    const { maintenance, stale } = shown;
    if (!stale && shown.staleAt < this.nextStaleAt) this.nextStaleAt = shown.staleAt;
    const last = recent.newest;
    const hour = Math.floor(now / HOUR_MS);
    const known = this.entries.get(runtime);
    if (
      known !== undefined &&
      known.service === service &&
      known.evaluation === evaluation &&
      known.recent === recent &&
      known.newest === last &&
      known.rollups === rollups &&
      known.days === rollups.size &&
      known.finished === finished &&
      known.packed === finished.version &&
      known.misconfigured === misconfigured &&
      known.maintenance === maintenance &&
      known.stale === stale &&
      known.hour === hour
    )
      return known;
    const detail = this.serviceDetail(runtime, now, shown);
    const status = toServiceStatus(detail, STATUS_DEFAULTS);
    const built: ServiceEntry = {
      service,
      evaluation,
      recent,
      newest: last,
      rollups,
      days: rollups.size,
      finished,
      packed: finished.version,
      misconfigured,
      maintenance,
      stale,
      hour,
      detail,
      status,
      json: JSON.stringify(status),
    };
    this.entries.set(runtime, built);
    return built;
  }

  /** What of a service's look depends on the clock: in a maintenance window, stale (no news for 2 intervals + lease). */
  private shown(runtime: ServiceRuntime, now: number): { maintenance: boolean; stale: boolean; staleAt: number } {
    const { service } = runtime;
    const last = runtime.recent.newest;
    const at =
      last === undefined || service.paused
        ? Number.POSITIVE_INFINITY
        : staleAt(last.at, service.intervalMs, this.leaseMs);
    return {
      maintenance: !service.paused && this.maintenance.isInMaintenance(service.id, now),
      stale: now > at,
      staleAt: at,
    };
  }

  private serviceDetail(
    runtime: ServiceRuntime,
    now: number,
    { maintenance, stale }: { maintenance: boolean; stale: boolean } = this.shown(runtime, now),
  ): ServiceDetail {
    const { service, evaluation } = runtime;
    const totals = shownTotals(runtime, now);
    const uptimeOf = ({ total, failures }: { total: number; failures: number }) => percent(total - failures, total);
    const window = totals.days(service.slo.windowDays);
    const budget = 100 - service.slo.target;
    const failedPercent = window.total === 0 ? null : (window.failures / window.total) * 100;
    // Paused, or misconfigured (the probe refuses its target): no data the public could trust, never an outage.
    let state: ServiceState = service.paused || runtime.misconfigured !== null ? 'unknown' : evaluation.state;
    if (maintenance) state = 'maintenance';
    return {
      id: service.id,
      name: service.name,
      group: service.group,
      state,
      since: evaluation.since === null ? null : new Date(evaluation.since).toISOString(),
      paused: service.paused,
      intervalSeconds: service.intervalMs / 1000,
      lastCheck: toLastCheck(runtime.recent.newest),
      uptime: {
        '24h': uptimeOf(totals.last24h()),
        '7d': uptimeOf(totals.days(7)),
        '30d': uptimeOf(totals.days(30)),
        '90d': uptimeOf(totals.days(90)),
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
