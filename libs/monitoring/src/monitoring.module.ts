import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Clock, SystemClock } from '@app/common';
import { CatalogService } from './catalog/catalog.service.js';
import { ChangeFeed } from './cluster/change-feed.js';
import { ClusterSync } from './cluster/cluster-sync.js';
import { ReplicaCoordinator } from './cluster/replica-coordinator.js';
import { ClusterView, ShardLeases } from './cluster/shard-leases.js';
import { MonitoringEvents } from './monitoring.events.js';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.options.js';
import { MonitoringScheduler } from './monitoring.scheduler.js';
import { MonitorService } from './monitor.service.js';
import { MonitorView } from './monitor-view.js';
import { MaintenanceCache } from './maintenance/maintenance-cache.js';
import { HeartbeatService } from './heartbeat/heartbeat.service.js';
import { HeartbeatStore } from './ports.js';
import { DispatchingProber } from './probe/dispatching-prober.js';
import { DnsProber } from './probe/dns-prober.js';
import { HeartbeatProber } from './probe/heartbeat-prober.js';
import { loadAxios } from './probe/lazy-axios.js';
import { HttpProber } from './probe/http-prober.js';
import { Prober } from './probe/prober.js';
import { probeThreadScript, ThreadedProber } from './probe/probe-thread.js';
import { TcpProber } from './probe/tcp-prober.js';
import { TargetPolicy } from './probe/target-policy.js';
import { TargetResolver } from './probe/target-resolution.js';
import { ActiveIncidents, NoActiveIncidents } from './status/active-incidents.js';
import { PageSettings } from './status/page-settings.js';
import { StatusSnapshotService } from './status/status-snapshot.service.js';
import { StoredPageService } from './status/stored-page.js';
import { SystemTimers, Timers } from './scheduling/timers.js';

export interface MonitoringModuleOptions {
  /**
   * Modules exporting the storage ports (CheckStore, StateAndRollupStore, CatalogStore, HeartbeatStore,
   * CoordinationStore, ChangeFeedStore, PageStore) and the options tokens.
   */
  imports: ModuleMetadata['imports'];
  /** Providers for MONITORING_OPTIONS, CLUSTER_OPTIONS, CONFIG_SERVICES and TargetPolicy (and optionally TargetResolver). */
  providers: Provider[];
  /** The incidents library's cache of open incidents, shown on the status page (none by default). */
  activeIncidents?: Type<ActiveIncidents>;
}

/** Wires the runner, the @Cron tick and the status snapshot to whatever implements the ports. */
@Module({})
export class MonitoringModule {
  static register(options: MonitoringModuleOptions): DynamicModule {
    const activeIncidents = options.activeIncidents ?? NoActiveIncidents;
    return {
      module: MonitoringModule,
      // Global so the incidents module (and the app) share the one runner and the two caches.
      global: true,
      imports: [ScheduleModule.forRoot(), ...(options.imports ?? [])],
      providers: [
        // Before the caller's providers, so a test can supply its own resolver.
        {
          provide: TargetResolver,
          useFactory: (policy: TargetPolicy) => new TargetResolver(policy),
          inject: [TargetPolicy],
        },
        { provide: PageSettings, useFactory: () => new PageSettings() },
        ...options.providers,
        {
          provide: Prober,
          useFactory: (policy: TargetPolicy, heartbeats: HeartbeatStore, monitoring: MonitoringOptions) => {
            const inProcess = new DispatchingProber({
              http: new HttpProber(policy),
              tcp: new TcpProber(policy),
              dns: new DnsProber(policy),
              heartbeat: new HeartbeatProber(heartbeats),
            });
            const script = monitoring.probeThread ? probeThreadScript() : null;
            if (script) return new ThreadedProber(script, policy, inProcess);
            // HTTP checks run here: axios is loaded now, not by the first check.
            void loadAxios();
            return inProcess;
          },
          inject: [TargetPolicy, HeartbeatStore, MONITORING_OPTIONS],
        },
        HeartbeatService,
        { provide: Clock, useClass: SystemClock },
        ReplicaCoordinator,
        { provide: ShardLeases, useExisting: ReplicaCoordinator },
        { provide: ClusterView, useExisting: ReplicaCoordinator },
        ChangeFeed,
        ClusterSync,
        MaintenanceCache,
        activeIncidents,
        { provide: ActiveIncidents, useExisting: activeIncidents },
        MonitoringEvents,
        { provide: Timers, useClass: SystemTimers },
        MonitorService,
        { provide: MonitorView, useExisting: MonitorService },
        CatalogService,
        StatusSnapshotService,
        StoredPageService,
        MonitoringScheduler,
      ],
      exports: [
        Prober,
        ReplicaCoordinator,
        ClusterView,
        ChangeFeed,
        MonitorService,
        MonitorView,
        MonitoringEvents,
        CatalogService,
        HeartbeatService,
        StatusSnapshotService,
        StoredPageService,
        MonitoringScheduler,
        TargetPolicy,
        TargetResolver,
        PageSettings,
        Prober,
        MaintenanceCache,
        ActiveIncidents,
        activeIncidents,
      ],
    };
  }
}
