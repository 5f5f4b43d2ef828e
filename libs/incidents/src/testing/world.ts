import { Clock, SystemClock } from '@app/common';
import { InMemoryAuditLog } from '@app/common/testing';
import { MaintenanceCache, MonitoringEvents, type MonitoredService } from '@app/monitoring';
import { FakeMonitorView, monitoredService } from '@app/monitoring/testing';
import { IncidentCache } from '../domain/incident-cache.js';
import { IncidentCommands } from '../domain/incident-commands.js';
import { IncidentReconciler } from '../domain/incident-reconciler.js';
import { IncidentWriter } from '../domain/incident-writer.js';
import { OutboxDispatcher } from '../domain/outbox.dispatcher.js';
import { DEFAULT_INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import { InMemoryIncidentStore } from './in-memory-incident-store.js';
import { InMemoryOutboxStore } from './in-memory-outbox-store.js';
import { RecordingNotifier } from './recording-notifier.js';

export const INCIDENT_TEST_OPTIONS: IncidentOptions = {
  ...DEFAULT_INCIDENT_OPTIONS,
  publicBaseUrl: 'https://status.example.com',
  retryBaseMs: 10,
  retryMaxMs: 40,
};

/** What replicas of the app share: the stores, the runner (as seen through MonitorView), maintenance, channels. */
export interface IncidentsWorld {
  store: InMemoryIncidentStore;
  outboxStore: InMemoryOutboxStore;
  events: MonitoringEvents;
  monitor: FakeMonitorView;
  maintenance: MaintenanceCache;
  sns: RecordingNotifier;
  slack: RecordingNotifier;
  /** The visitors' channel: wired only into replicas that ask for it (incidentsReplica's `channels`). */
  subscribers: RecordingNotifier;
}

export function incidentsWorld(): IncidentsWorld {
  const events = new MonitoringEvents();
  return {
    store: new InMemoryIncidentStore(),
    outboxStore: new InMemoryOutboxStore(),
    events,
    monitor: new FakeMonitorView(events),
    maintenance: new MaintenanceCache(),
    sns: new RecordingNotifier('sns'),
    slack: new RecordingNotifier('slack'),
    subscribers: new RecordingNotifier('subscribers', true),
  };
}

/** A monitored service as the incident specs use them ("checkout" is named Checkout API). */
export function watchedService(id: string, overrides: Partial<MonitoredService> = {}): MonitoredService {
  return monitoredService(id, { name: id === 'checkout' ? 'Checkout API' : id.toUpperCase(), ...overrides });
}

/** One replica of the incidents library wired over the world: the real cache, writer, reconciler and commands. */
export function incidentsReplica(
  world: IncidentsWorld,
  clock: Clock = new SystemClock(),
  overrides: Partial<IncidentOptions> = {},
  channels: RecordingNotifier[] = [world.sns, world.slack],
) {
  const options = { ...INCIDENT_TEST_OPTIONS, ...overrides };
  const cache = new IncidentCache();
  const audit = new InMemoryAuditLog();
  const dispatcher = new OutboxDispatcher(world.outboxStore, channels, options, clock);
  const writer = new IncidentWriter(world.store, cache, dispatcher, world.monitor, audit, options);
  const reconciler = new IncidentReconciler(
    world.store,
    writer,
    dispatcher,
    world.monitor,
    world.events,
    cache,
    world.maintenance,
    options,
  );
  const commands = new IncidentCommands(writer, cache, reconciler, world.monitor);
  return { cache, audit, dispatcher, writer, reconciler, commands };
}
