import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { CatalogService } from './catalog/catalog.service.js';
import { ClusterSync } from './cluster/cluster-sync.js';
import { MonitorService } from './monitor.service.js';
import { StatusSnapshotService } from './status/status-snapshot.service.js';

/**
 * The @Cron entry point: joins the cluster, loads the catalog once, then hands every second to the runner (whose
 * due timer starts each check at its millisecond; the tick supervises it) and the snapshot; at shutdown it writes what is buffered before the shards are released.
 */
@Injectable()
export class MonitoringScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Scheduler');
  private ready = false;
  private refresher: NodeJS.Timeout | null = null;

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
    await this.monitor.load(services);
    this.snapshot.refresh();
    this.cluster.start(started);
    this.ready = true;
    this.monitor.startDispatching();
    // Between ticks, publish finished checks quickly; refresh() itself bounds how often it really rebuilds.
    this.refresher = setInterval(() => this.snapshot.refresh(), 200);
    this.refresher.unref();
    const { owned } = this.monitor.stats();
    this.logger.log(
      `monitoring ${services.length} services, ${owned} checked by this replica (state restored in ${Date.now() - started} ms)`,
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
