import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CatalogService } from './catalog/catalog.service.js';
import { ClusterSync } from './cluster/cluster-sync.js';
import { MonitorService } from './monitor.service.js';
import { StatusSnapshotService } from './status/status-snapshot.service.js';

/** How long boot waits for the recent checks before it serves status without them (they keep loading). */
const RESTORE_WAIT_MS = 1000;

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

  constructor(
    private readonly catalog: CatalogService,
    private readonly monitor: MonitorService,
    private readonly snapshot: StatusSnapshotService,
    private readonly cluster: ClusterSync,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    const services = await this.catalog.load();
    await this.cluster.join();
    // Status is served from here on; recent checks load in the background and each service is checked once its
    // own are in (MonitorService.open).
    const { restored } = await this.monitor.open(services);
    this.restored = restored.catch((error: unknown) =>
      this.logger.error(`restoring services failed: ${String(error)}`),
    );
    this.snapshot.refresh();
    this.cluster.start(started);
    this.ready = true;
    this.monitor.startDispatching();
    // Between ticks, publish finished checks quickly; refresh() itself bounds how often it really rebuilds.
    this.refresher = setInterval(() => this.snapshot.refresh(), 200);
    this.refresher.unref();
    // A small catalog is whole within moments: serve it complete (recent checks in) rather than a moment early.
    await Promise.race([this.restored, sleep(RESTORE_WAIT_MS)]);
    const { owned } = this.monitor.stats();
    this.logger.log(
      `monitoring ${services.length} services, ${owned} checked by this replica (stored state loaded in ${Date.now() - started} ms, ${this.monitor.stats().restoring} services still loading recent checks)`,
    );
  }

  @Cron('* * * * * *', { name: 'monitoring-tick', waitForCompletion: true })
  tick(): void {
    if (!this.ready) return;
    this.monitor.tick();
    this.snapshot.refresh();
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
    if (wasReady) await this.cluster.leave();
  }
}
