import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';
import type { ServiceStatus, StatusResponse } from '@app/contracts';
import type { MonitoredService } from '../catalog/service-definition.js';
import { CLUSTER_OPTIONS, DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from '../cluster/cluster.options.js';
import { DEFAULT_MONITORING_OPTIONS, MONITORING_OPTIONS, type MonitoringOptions } from '../monitoring.options.js';
import { MonitorService } from '../monitor.service.js';
import { ShardLeases } from '../cluster/shard-leases.js';
import { PageStore, type StoredPage } from '../ports.js';
import { staleAt, StatusSnapshotService } from './status-snapshot.service.js';

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

/** A stored page older than this is not served: after a day down, a page that old helps no one. */
export const STORED_PAGE_MAX_AGE_MS = 86_400_000;
/** brotli quality of the stored page: ~2 MB of JSON at 10,000 services in tens of ms, off the main thread. */
const STORE_QUALITY = 5;

/**
 * What is stored: the page's JSON, a newline (JSON text has none of its own), and the time of each listed service's
 * last check (ms or null, in the page's order) — the page itself leaves them out, and a page served later must
 * mark as stale what has not been checked since (the rule of the live page, `staleAt`).
 */
function encode(json: Buffer, lastChecks: readonly (number | null)[]): Buffer {
  return Buffer.concat([json, Buffer.from(`\n${JSON.stringify(lastChecks)}`)]);
}

/** The key a service is matched on: a stored page is served only for the same services, named and grouped alike. */
const identity = (service: { id: string; name: string; group?: string | null; paused?: boolean }) =>
  JSON.stringify([service.id, service.name, service.group ?? null, service.paused === true]);

/**
 * The status page stored whole, so a boot serves it while its own read of every service runs (at 10,000 services
 * with 90 days stored that read takes seconds; the stored page is one item of ~90 KB). Stored every
 * `storedPageEveryMs` by the replica holding shard 0 (one writer a period, whatever the number of replicas; the store
 * keeps the newest) and by every replica at its clean stop, only once
 * every service's recent checks are loaded (a page built while they load lacks their last checks); served at boot
 * only when it lists exactly the catalog's services and is under a day old, with every service that has not been
 * checked since marked stale as the live page would, and replaced by the live page as soon as the boot's read is in.
 */
@Injectable()
export class StoredPageService {
  private readonly logger = new Logger('StoredPage');
  private readonly everyMs: number;
  private readonly leaseMs: number;
  private lastSavedAt = 0;
  private saving: Promise<void> | null = null;
  /** A page too large to store is said once, not at every period. */
  private refused = false;

  constructor(
    private readonly store: PageStore,
    private readonly snapshot: StatusSnapshotService,
    private readonly monitor: MonitorService,
    @Optional() @Inject(MONITORING_OPTIONS) options?: Pick<MonitoringOptions, 'storedPageEveryMs'>,
    @Optional() @Inject(CLUSTER_OPTIONS) cluster?: Pick<ClusterOptions, 'leaseMs'>,
    @Optional() private readonly leases?: ShardLeases,
  ) {
    this.everyMs = options?.storedPageEveryMs ?? DEFAULT_MONITORING_OPTIONS.storedPageEveryMs;
    this.leaseMs = cluster?.leaseMs ?? DEFAULT_CLUSTER_OPTIONS.leaseMs;
  }

  get enabled(): boolean {
    return this.everyMs > 0;
  }

  /** The stored page, or null (none, storing is off, or it could not be read: the boot then waits as without one). */
  async read(): Promise<StoredPage | null> {
    if (!this.enabled) return null;
    try {
      return await this.store.load();
    } catch (error) {
      this.logger.warn(
        `the stored status page could not be read (${String(error)}): serving status after the boot's read`,
      );
      return null;
    }
  }

  /**
   * Serves `page` until the live page is built, when it fits `services` (the catalog) and is under a day old;
   * false (nothing served) otherwise, with the reason logged.
   */
  async serve(page: StoredPage | null, services: readonly MonitoredService[], now = Date.now()): Promise<boolean> {
    if (page === null) return false;
    const refuse = (why: string) => {
      this.logger.log(`not serving the status page stored at ${new Date(page.at).toISOString()}: ${why}`);
      return false;
    };
    if (now - page.at > STORED_PAGE_MAX_AGE_MS) return refuse('older than a day');
    let document: StatusResponse;
    let lastChecks: unknown;
    try {
      const text = (await decompress(page.body)).toString();
      const split = text.indexOf('\n');
      document = JSON.parse(text.slice(0, split)) as StatusResponse;
      lastChecks = JSON.parse(text.slice(split + 1));
    } catch (error) {
      return refuse(`it does not decode (${String(error)})`);
    }
    const listed: unknown = document?.services;
    if (
      !Array.isArray(listed) ||
      !Array.isArray(lastChecks) ||
      lastChecks.length !== listed.length ||
      !listed.every((service) => typeof (service as ServiceStatus | null)?.id === 'string')
    )
      return refuse('it is not a status page');
    const shown = listed as ServiceStatus[];
    const catalog = new Map(services.map((service) => [service.id, service]));
    const wanted = new Set(services.map(identity));
    const listedOnce = new Set(shown.map(identity));
    if (
      shown.length !== services.length ||
      listedOnce.size !== shown.length ||
      !shown.every((service) => wanted.has(identity(service)))
    )
      return refuse('its services differ from the catalog`s');
    shown.forEach((service, index) => {
      const at = lastChecks[index] as number | null;
      const definition = catalog.get(service.id)!;
      if (typeof at === 'number' && !definition.paused && now > staleAt(at, definition.intervalMs, this.leaseMs))
        service.stale = true;
    });
    this.snapshot.serveStored(document, page.at);
    this.logger.log(
      `serving the status page stored at ${new Date(page.at).toISOString()} (${shown.length} services) until the boot's read is in`,
    );
    return true;
  }

  /**
   * Called every tick: stores the page when the period is over and this replica holds shard 0 (one save at a time;
   * a failed one is retried at the next period).
   */
  tick(now = Date.now()): void {
    if (!this.enabled || this.saving !== null || now - this.lastSavedAt < this.everyMs) return;
    if (this.leases !== undefined && this.leases.epochOf(0) === null) return;
    if (this.monitor.stats().restoring > 0) return;
    this.lastSavedAt = now;
    this.saving = this.save(now).finally(() => (this.saving = null));
  }

  /** Stores the page now (a clean stop), after a save in flight; only a page built with every service loaded. */
  async saveNow(now = Date.now()): Promise<void> {
    await this.saving;
    if (!this.enabled || this.monitor.stats().restoring > 0) return;
    await this.save(now);
  }

  private async save(now: number): Promise<void> {
    try {
      const status = this.snapshot.currentStatus(now);
      if (this.snapshot.isStored) return;
      const lastChecks = this.snapshot
        .currentServices(now)
        .map((service) => (service.lastCheck === null ? null : Date.parse(service.lastCheck.at)));
      const body = await compress(encode(status.body, lastChecks), {
        params: { [constants.BROTLI_PARAM_QUALITY]: STORE_QUALITY },
      });
      await this.store.save({ at: status.builtAt, body });
    } catch (error) {
      const tooLarge = String(error).includes('too large');
      if (tooLarge && this.refused) return;
      this.refused ||= tooLarge;
      this.logger.warn(`storing the status page failed: ${String(error)}`);
    }
  }
}
