import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { CatalogService } from '../catalog/catalog.service.js';
import { MonitoringEvents } from '../monitoring.events.js';
import { MonitorService } from '../monitor.service.js';
import { ChangeFeed } from './change-feed.js';
import { ReplicaCoordinator } from './replica-coordinator.js';

/**
 * Connects the runner and the catalog to the other replicas: checks this replica stored go out on the change
 * feed, other replicas' checks and catalog edits come in, a handover publishes everything before the shard is
 * released, and a replica that could not read the feed for too long reloads from the tables.
 */
@Injectable()
export class ClusterSync implements OnModuleDestroy {
  private readonly subscription: Subscription;

  constructor(
    private readonly coordinator: ReplicaCoordinator,
    private readonly feed: ChangeFeed,
    private readonly monitor: MonitorService,
    private readonly catalog: CatalogService,
    events: MonitoringEvents,
  ) {
    this.subscription = events.checksStored$.subscribe((checks) => feed.publishChecks(checks));
    feed.on('checks', ({ checks }) => monitor.applyRemote(checks));
    feed.on('service', ({ id }) => catalog.applyRemote(id));
    feed.onGap(() => monitor.resyncAll());
    coordinator.beforeRelease(() => feed.flush());
  }

  /**
   * Registers and claims shards (before the runner loads the catalog, which adopts what was claimed); heartbeats
   * go on during the load.
   */
  join(): Promise<void> {
    return this.coordinator.join(true);
  }

  /** After the load: periodic rounds, and the feed from `loadStartedAt` on (what was loaded covers before). */
  start(loadStartedAt: number): void {
    this.coordinator.start();
    this.feed.start(loadStartedAt);
  }

  /** One more round before the last writes at shutdown: holds are lifted if the lease can be confirmed now. */
  confirm(): Promise<void> {
    return this.coordinator.round();
  }

  /** After the runner wrote everything: publish the rest, free the shards, leave. */
  async leave(): Promise<void> {
    await this.feed.flush();
    await this.coordinator.leave();
    await this.feed.stop();
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}
