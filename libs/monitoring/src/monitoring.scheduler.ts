import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CatalogService } from './catalog/catalog.service.js';
import { ClusterSync } from './cluster/cluster-sync.js';
import { MonitorService } from './monitor.service.js';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.options.js';
import { StatusSnapshotService } from './status/status-snapshot.service.js';
import { StoredPageService } from './status/stored-page.js';
import type { MonitoredService } from './catalog/service-definition.js';

/** How long boot waits for the recent checks before it serves status without them (they keep loading). */
const RESTORE_WAIT_MS = 1000;
/** How often that wait looks at the restore's progress. */
const RESTORE_POLL_MS = 25;
/**
 * With a stored page to serve, how long boot waits for its own read before it serves that page instead (a small
 * catalog is read within this and starts as without one).
 */
export const STORED_PAGE_AFTER_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The @Cron entry point: joins the cluster, loads the catalog once, then hands every second to the runner (whose
 * due timer starts each check at its millisecond; the tick supervises it) and the snapshot; at shutdown it writes what is buffered before the shards are released.
 */
@Injectable()
export class MonitoringScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private ready = false;
  private refresher: NodeJS.Timeout | null = null;
  /** Settles when every service's recent checks are loaded (after boot, in the background). */
  restored: Promise<void> = Promise.resolve();
  /** The boot's read is in and the live page built (set once; `ready` also falls at shutdown). */
  private opened = false;
  /** Starts serving HTTP now (the app's); called when the boot serves the stored page (see `onApplicationBootstrap`). */
  private earlyListener: (() => Promise<void>) | null = null;
  private servingStored: () => void = () => undefined;
  private readonly servedStored = new Promise<void>((resolve) => (this.servingStored = resolve));

  constructor(
    private readonly catalog: CatalogService,
    private readonly monitor: MonitorService,
    private readonly snapshot: StatusSnapshotService,
    private readonly cluster: ClusterSync,
    private readonly storedPage: StoredPageService,
    @Optional() @Inject(MONITORING_OPTIONS) private readonly options?: Pick<MonitoringOptions, 'startedAt'>,
  ) {}

  /**
   * Lets the boot start serving HTTP before its read of every service is in, when it has a stored page to serve
   * (main.ts: the server listens then; the app's boot gate answers 503 on every other route until `isOpen`).
   * Everything else the app starts after this module (incidents, metrics, reloads) still waits for the read.
   */
  listenEarly(listen: () => Promise<void>): void {
    this.earlyListener = listen;
  }

  /** Settles when the boot serves a stored page because its own read is not in yet (never, otherwise). */
  whenServingStored(): Promise<void> {
    return this.servedStored;
  }

  /**
   * Loads the catalog and opens the runner. With a stored page that fits the catalog and a read not in within
   * STORED_PAGE_AFTER_MS, the app listens meanwhile and serves that page (`listenEarly`).
   */
  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    const stored = this.storedPage.read();
    const services = await this.catalog.load();
    const opening = this.open(services, started);
    // Awaited below in every case; this only keeps a failure meanwhile from being reported as unhandled.
    opening.catch(() => undefined);
    if (await this.storedPage.serve(await stored, services)) {
      const inTime = await Promise.race([opening.then(() => true), sleep(STORED_PAGE_AFTER_MS).then(() => false)]);
      if (!inTime) {
        this.logger.log(`serving the stored status page while the stored state of ${services.length} services loads`);
        this.servingStored();
        await this.earlyListener?.();
      }
    }
    await opening;
  }

  /** The boot's read is in: every route serves (before, only the stored page and health). */
  get isOpen(): boolean {
    return this.opened;
  }

  private async open(services: MonitoredService[], started: number): Promise<void> {
    await this.cluster.join();
    // Status is served from here on; recent checks load in the background and each service is checked once its
    // own are in (MonitorService.open). The first checks are spread within one interval of the process start
    // (performance.timeOrigin unless set), so the time start-up and loading took comes out of that interval, not on
    // top of it.
    const startedAt = this.options?.startedAt ?? Math.round(performance.timeOrigin);
    const { restored } = await this.monitor.open(services, Date.now(), startedAt);
    this.restored = restored.catch((error: unknown) =>
      this.logger.error(`restoring services failed: ${String(error)}`),
    );
    this.snapshot.refresh();
    this.opened = true;
    this.cluster.start(started);
    this.ready = true;
    this.monitor.startDispatching();
    // Between ticks, publish finished checks quickly; refresh() itself bounds how often it really rebuilds.
    this.refresher = setInterval(() => this.snapshot.refresh(), 200);
    this.refresher.unref();
    // A small catalog is whole within moments: serve it complete (recent checks in) rather than a moment early.
    await this.awaitQuickRestore(services.length);
    const { owned } = this.monitor.stats();
    this.logger.log(
      `monitoring ${services.length} services, ${owned} checked by this replica (stored state loaded in ${Date.now() - started} ms, ${this.monitor.stats().restoring} services still loading recent checks)`,
    );
  }

  /**
   * Waits up to RESTORE_WAIT_MS for the background restore, but not when its pace so far says it will not finish
   * in that time (10,000 services take seconds): the page is served at once then, the rest keeps loading.
   */
  private async awaitQuickRestore(total: number): Promise<void> {
    const started = Date.now();
    let settled = false;
    void this.restored.then(() => (settled = true));
    while (!settled) {
      await Promise.race([this.restored, sleep(RESTORE_POLL_MS)]);
      const elapsed = Date.now() - started;
      const done = total - this.monitor.stats().restoring;
      if (settled || elapsed >= RESTORE_WAIT_MS) return;
      if (done > 0 && (elapsed * total) / done > RESTORE_WAIT_MS) return;
    }
  }

  @Cron('* * * * * *', { name: 'monitoring-tick', waitForCompletion: true })
  tick(): void {
    if (!this.ready) return;
    this.monitor.tick();
    this.snapshot.refresh();
    this.storedPage.tick();
  }

  get isReady(): boolean {
    return this.ready;
  }

  async beforeApplicationShutdown(): Promise<void> {
    const wasReady = this.ready;
    this.ready = false;
    // The due timer starts checks between ticks: no new one from here on (the last writes follow).
    this.monitor.stopDispatching();
    if (this.refresher) clearInterval(this.refresher);
    if (wasReady) await this.cluster.confirm();
    await this.monitor.shutdown();
    if (wasReady) {
      // The page with every check this run took, for the next boot to serve at once.
      this.snapshot.refresh(Date.now(), true);
      await this.storedPage.saveNow();
      await this.cluster.leave();
    }
  }
}
