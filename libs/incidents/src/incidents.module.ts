import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { IncidentService } from './domain/incident.service.js';
import { MaintenanceService } from './domain/maintenance.service.js';
import { OutboxDispatcher } from './domain/outbox.dispatcher.js';

/**
 * Incidents, maintenance and alerting. Needs the (global) monitoring module's exports and the storage ports
 * IncidentStore, OutboxStore and AuditLog; `providers` supplies INCIDENT_OPTIONS and NOTIFIERS.
 */
@Module({})
export class IncidentsModule {
  static register(options: { providers: Provider[] }): DynamicModule {
    return {
      module: IncidentsModule,
      providers: [...options.providers, OutboxDispatcher, IncidentService, MaintenanceService],
      exports: [IncidentService, MaintenanceService, OutboxDispatcher],
    };
  }
}
