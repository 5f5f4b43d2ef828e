import { Clock, SystemClock } from '@app/common';
import { InMemoryAuditLog } from '@app/common/testing';
import {
  MaintenanceCache,
  MonitoringEvents,
  type ChangeFeed,
  type ClusterView,
  type MonitoredService,
} from '@app/monitoring';
import { FakeClusterView, FakeMonitorView, monitoredService, testChangeFeed } from '@app/monitoring/testing';
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

/**
 * One replica of the incidents library wired over the world: the real cache, writer, reconciler and commands.
 * Its change feed publishes nothing unless one is passed (replicas of the world share the stores anyway).
 */
export function incidentsReplica(
  world: IncidentsWorld,
  clock: Clock = new SystemClock(),
  overrides: Partial<IncidentOptions> = {},
  cluster: { feed?: ChangeFeed; view?: ClusterView; monitor?: IncidentsWorld['monitor'] } = {},
  channels: RecordingNotifier[] = [world.sns, world.slack],
) {
  const options = { ...INCIDENT_TEST_OPTIONS, ...overrides };
  const monitor = cluster.monitor ?? world.monitor;
  const feed = cluster.feed ?? testChangeFeed();
  const cache = new IncidentCache();
  const audit = new InMemoryAuditLog();
  const dispatcher = new OutboxDispatcher(
    world.outboxStore,
    channels,
    options,
    clock,
    cluster.view ?? new FakeClusterView(),
  );
  const writer = new IncidentWriter(world.store, cache, dispatcher, monitor, audit, options, feed);
  const reconciler = new IncidentReconciler(
    world.store,
    writer,
    dispatcher,
    monitor,
    world.events,
    cache,
    world.maintenance,
    options,
    feed,
  );
  const commands = new IncidentCommands(writer, cache, reconciler, monitor);
  return { cache, audit, dispatcher, writer, reconciler, commands };
}
