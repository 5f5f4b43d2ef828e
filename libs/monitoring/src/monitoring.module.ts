import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CatalogService } from './catalog/catalog.service.js';
import { MonitoringEvents } from './monitoring.events.js';
import { MonitoringScheduler } from './monitoring.scheduler.js';
import { MonitorService } from './monitor.service.js';
import { MonitorView } from './monitor-view.js';
import { MaintenanceCalendar, NoMaintenance } from './ports.js';
import { HttpProber } from './probe/http-prober.js';
import { Prober } from './probe/prober.js';
import { TargetPolicy } from './probe/target-policy.js';
import { IncidentFeed, NoIncidents } from './status/incident-feed.js';
import { StatusSnapshotService } from './status/status-snapshot.service.js';

export interface MonitoringModuleOptions {
  /** Modules exporting the storage ports (CheckStore, StateAndRollupStore, CatalogStore) and the options tokens. */
  imports: ModuleMetadata['imports'];
  /** Providers for MONITORING_OPTIONS, CONFIG_SERVICES and TargetPolicy. */
  providers: Provider[];
  maintenance?: Type<MaintenanceCalendar>;
  incidentFeed?: Type<IncidentFeed>;
}

/** Wires the runner, the @Cron tick and the status snapshot to whatever implements the ports. */
@Module({})
export class MonitoringModule {
  static register(options: MonitoringModuleOptions): DynamicModule {
    return {
      module: MonitoringModule,
      // Global so the incidents module (and the app) share the one runner, calendar and feed.
      global: true,
      imports: [ScheduleModule.forRoot(), ...(options.imports ?? [])],
      providers: [
        ...options.providers,
        { provide: Prober, useFactory: (policy: TargetPolicy) => new HttpProber(policy), inject: [TargetPolicy] },
        { provide: MaintenanceCalendar, useClass: options.maintenance ?? NoMaintenance },
        { provide: IncidentFeed, useClass: options.incidentFeed ?? NoIncidents },
        MonitoringEvents,
        MonitorService,
        { provide: MonitorView, useExisting: MonitorService },
        CatalogService,
        StatusSnapshotService,
        MonitoringScheduler,
      ],
      exports: [
        MonitorService,
        MonitorView,
        MonitoringEvents,
        CatalogService,
        StatusSnapshotService,
        MonitoringScheduler,
        TargetPolicy,
        Prober,
        MaintenanceCalendar,
        IncidentFeed,
      ],
    };
  }
}
