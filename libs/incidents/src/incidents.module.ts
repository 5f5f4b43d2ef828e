import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Clock, SystemClock } from '@app/common';
import { CertificateAlerts } from './domain/certificate-alerts.js';
import { IncidentCommands } from './domain/incident-commands.js';
import { IncidentReconciler } from './domain/incident-reconciler.js';
import { IncidentWriter } from './domain/incident-writer.js';
import { MaintenanceService } from './domain/maintenance.service.js';
import { OutboxDispatcher } from './domain/outbox.dispatcher.js';
import { SubscriptionService } from './subscriptions/subscription.service.js';

/**
 * Incidents, maintenance and alerting. Needs the (global) monitoring module's exports and the storage ports
 * IncidentStore, OutboxStore, CertificateAlertStore, AuditLog and SubscriptionGateway; `providers` supplies INCIDENT_OPTIONS and NOTIFIERS. Automatic
 * incidents: IncidentReconciler; admin commands: IncidentCommands; both write through IncidentWriter.
 */
@Module({})
export class IncidentsModule {
  static register(options: { providers: Provider[] }): DynamicModule {
    return {
      module: IncidentsModule,
      providers: [
        ...options.providers,
        { provide: Clock, useClass: SystemClock },
        OutboxDispatcher,
        IncidentWriter,
        IncidentReconciler,
        CertificateAlerts,
        IncidentCommands,
        MaintenanceService,
        SubscriptionService,
      ],
      exports: [IncidentCommands, MaintenanceService, OutboxDispatcher, SubscriptionService],
    };
  }
}
