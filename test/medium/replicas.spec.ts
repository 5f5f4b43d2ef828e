import 'reflect-metadata';
import {
  DynamoChangeFeedStore,
  DynamoCoordinationStore,
  DynamoIncidentStore,
  DynamoOutboxStore,
  DynamoStateAndRollupStore,
} from '@app/aws';
import { SystemClock } from '@app/common';
import { FakeClock, InMemoryAuditLog, settle } from '@app/common/testing';
import { IncidentCache, IncidentReconciler, IncidentWriter, OutboxDispatcher, type OutboxItem } from '@app/incidents';
import { INCIDENT_TEST_OPTIONS, notification, RecordingNotifier, watchedService } from '@app/incidents/testing';
import {
  clusterTiming,
  DEFAULT_CLUSTER_OPTIONS,
  MaintenanceCache,
  MonitoringEvents,
  ReplicaCoordinator,
  SHARD_COUNT,
  type ShardHost,
  type StoredCheck,
} from '@app/monitoring';
import { FakeClusterView, FakeMonitorView, testChangeFeed } from '@app/monitoring/testing';
import { testDynamo } from '../support/dynamo.js';

/**
 * The exactly-once guarantees proven under concurrency against DynamoDB's wire protocol (dynalite): several
 * replicas racing on the same transitions, the same outbox items and the same shards.
 */
describe('replicas racing on one DynamoDB', () => {
  const { client, names, ready, destroy } = testDynamo('medium-replicas-');

  beforeAll(ready);
  afterAll(destroy);

  describe('incidents and alerts', () => {
    const SERVICES = Array.from({ length: 12 }, (_, index) => `svc-${index}`);
    const REPLICAS = 3;
    const incidentStore = new DynamoIncidentStore(client, names.incidents);
    const outboxStore = new DynamoOutboxStore(client, names.outbox);
    // The channels are shared: whichever replica delivers, it lands in the same inbox.
    const sns = new RecordingNotifier('sns');
    const slack = new RecordingNotifier('slack');

    /** One replica of the incidents library on the real adapters, believing it owns every service (worst case). */
    function replica() {
      const events = new MonitoringEvents();
      const monitor = new FakeMonitorView(events);
      for (const id of SERVICES) monitor.add(watchedService(id), 'up');
      const cache = new IncidentCache();
      const feed = testChangeFeed();
      const dispatcher = new OutboxDispatcher(
        outboxStore,
        [sns, slack],
        INCIDENT_TEST_OPTIONS,
        new SystemClock(),
        new FakeClusterView(),
      );
      const writer = new IncidentWriter(
        incidentStore,
        cache,
        dispatcher,
        monitor,
        new InMemoryAuditLog(),
        INCIDENT_TEST_OPTIONS,
        feed,
      );
      const reconciler = new IncidentReconciler(
        incidentStore,
        writer,
        dispatcher,
        monitor,
        events,
        cache,
        new MaintenanceCache(),
        INCIDENT_TEST_OPTIONS,
        feed,
      );
      return { monitor, dispatcher, reconciler };
    }

    const replicas = Array.from({ length: REPLICAS }, replica);

    beforeAll(async () => {
      // Each boot also starts its dispatcher's own polling: all three compete for every item.
      for (const { reconciler } of replicas) await reconciler.onApplicationBootstrap();
    });

    afterAll(() => {
      for (const { reconciler } of replicas) reconciler.onApplicationShutdown();
    });

    /** Every replica sees the same transition of every service at the same moment, and all react at once. */
    async function everyoneSees(to: 'up' | 'down', at: number): Promise<void> {
      for (const id of SERVICES)
        for (const { monitor } of replicas) monitor.transition(id, to, at, to === 'down' ? 'HTTP 503' : undefined);
      await settle(30);
      await Promise.all(replicas.map(({ reconciler }) => reconciler.reconcileAll(at)));
    }

    /** All dispatchers poll together until `count` messages per channel arrived, then a while longer. */
    async function deliverAll(count: number): Promise<void> {
      const deadline = Date.now() + 10_000;
      while ((sns.sent.length < count || slack.sent.length < count) && Date.now() < deadline) {
        await Promise.all(replicas.map(({ dispatcher }) => dispatcher.poll(Date.now())));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (let pass = 0; pass < 5; pass += 1) {
        await Promise.all(replicas.map(({ dispatcher }) => dispatcher.poll(Date.now())));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    it('opens exactly one incident per service when three replicas race on the same outage', async () => {
      await everyoneSees('down', Date.now());
      const open = (await incidentStore.listIncidentsSince(new Date(Date.now() - 60_000).toISOString())).filter(
        (incident) => incident.status !== 'resolved',
      );
      expect(open.map((incident) => incident.serviceIds[0]).sort()).toEqual([...SERVICES].sort());
      expect((await incidentStore.listOpenLocks()).map((lock) => lock.incidentId).sort()).toEqual(
        open.map((incident) => incident.id).sort(),
      );
    });

    it('delivers exactly one opened message per incident and channel with three dispatchers competing', async () => {
      await deliverAll(SERVICES.length);
      const perIncident = (notifier: RecordingNotifier) =>
        new Map(
          [...new Set(notifier.sent.map((sent) => sent.incidentId))].map((id) => [
            id,
            notifier.sent.filter((sent) => sent.incidentId === id).map((sent) => sent.transition),
          ]),
        );
      for (const notifier of [sns, slack]) {
        expect(notifier.sent).toHaveLength(SERVICES.length);
        expect([...perIncident(notifier).values()].every((transitions) => transitions.join() === 'opened')).toBe(true);
      }
    });

    it('resolves each incident once and says so once per channel when all recover at once', async () => {
      await everyoneSees('up', Date.now());
      await deliverAll(2 * SERVICES.length);
      const incidents = await incidentStore.listIncidentsSince(new Date(Date.now() - 60_000).toISOString());
      expect(incidents).toHaveLength(SERVICES.length);
      for (const incident of incidents) {
        expect(incident.status).toBe('resolved');
        expect(incident.updates.map((update) => update.status)).toEqual(['investigating', 'resolved']);
      }
      expect(await incidentStore.listOpenLocks()).toEqual([]);
      for (const notifier of [sns, slack]) {
        expect(notifier.sent.filter((sent) => sent.transition === 'resolved')).toHaveLength(SERVICES.length);
        expect(notifier.sent).toHaveLength(2 * SERVICES.length);
      }
    });
  });

  describe('the outbox lease', () => {
    it('five dispatchers polling the same 40 items at once deliver each exactly once', async () => {
      const store = new DynamoOutboxStore(client, names.outbox);
      const now = Date.UTC(2030, 0, 1);
      const delivered = new RecordingNotifier('slack');
      const items: OutboxItem[] = Array.from({ length: 40 }, (_, index) => ({
        id: `inc-lease-${index}#opened#slack`,
        incidentId: `inc-lease-${index}`,
        channel: 'slack',
        notification: notification({ incidentId: `inc-lease-${index}` }),
        createdAt: now,
        attempts: 0,
        dueAt: now,
        status: 'pending',
        lastError: null,
        sentAt: null,
      }));
      for (const item of items) expect(await store.enqueue(item)).toBe(true);
      expect(await store.enqueue(items[0]!)).toBe(false); // queued twice: still one item
      const clock = new FakeClock(now + 1000);
      const dispatchers = Array.from(
        { length: 5 },
        () => new OutboxDispatcher(store, [delivered], INCIDENT_TEST_OPTIONS, clock, new FakeClusterView()),
      );
      const deadline = Date.now() + 10_000;
      const mine = () => delivered.sent.filter((sent) => sent.incidentId.startsWith('inc-lease-')).length;
      for (let pass = 0; (pass < 10 || mine() < 40) && Date.now() < deadline; pass += 1) {
        await Promise.all(dispatchers.map((dispatcher) => dispatcher.poll()));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // (the incidents above share the table: their late deliveries are not this test's)
      const ids = delivered.sent.map((sent) => sent.incidentId).filter((id) => id.startsWith('inc-lease-'));
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    });
  });

  describe('shard leases', () => {
    const LEASE = 6_000;
    const { roundMs, expireMs } = clusterTiming(LEASE);
    const noop: ShardHost = {
      adopt: () => Promise.resolve('adopted'),
      drop: () => undefined,
      handOver: () => Promise.resolve(),
      resync: () => Promise.resolve(),
      settle: () => Promise.resolve(),
    };

    it('replicas joining at once end up with every shard worked by exactly one, under unique epochs', async () => {
      const store = new DynamoCoordinationStore(client, names.coord);
      const clock = new FakeClock(Date.now());
      const coordinators = ['r1', 'r2', 'r3'].map(
        (id) => new ReplicaCoordinator(store, { ...DEFAULT_CLUSTER_OPTIONS, replicaId: id, leaseMs: LEASE }, clock),
      );
      for (const coordinator of coordinators) coordinator.attach(noop);
      await Promise.all(coordinators.map((coordinator) => coordinator.join()));
      for (const coordinator of coordinators) coordinator.start(false);
      for (let round = 0; round < 8; round += 1) {
        clock.advance(roundMs);
        await Promise.all(coordinators.map((coordinator) => coordinator.round()));
        await Promise.all(coordinators.map((coordinator) => coordinator.idle()));
      }
      const worked = coordinators.map((coordinator) => coordinator.status().shards);
      expect(worked.map((shards) => shards.length).sort()).toEqual([10, 11, 11]);
      expect(new Set(worked.flat()).size).toBe(SHARD_COUNT);
      const records = await store.shards();
      expect(new Set(records.map((record) => record.epoch)).size).toBe(records.length);

      // r3 dies; r1 and r2 take its shards after the expiry, each shard still worked by exactly one replica
      const survivors = coordinators.slice(0, 2);
      for (let round = 0; round < Math.ceil(expireMs / roundMs) + 3; round += 1) {
        clock.advance(roundMs);
        await Promise.all(survivors.map((coordinator) => coordinator.round()));
        await Promise.all(survivors.map((coordinator) => coordinator.idle()));
      }
      const after = survivors.map((coordinator) => coordinator.status().shards);
      expect(after.map((shards) => shards.length).sort()).toEqual([16, 16]);
      expect(new Set(after.flat()).size).toBe(SHARD_COUNT);
      expect((await store.shards()).filter((record) => record.takenFrom === 'r3')).toHaveLength(worked[2]!.length);
      await Promise.all(survivors.map((coordinator) => coordinator.leave()));
      expect((await store.replicas()).map((replica) => replica.replicaId)).toEqual(['r3']);
    });

    it('a paused former owner cannot write after the new owner fenced the service', async () => {
      const states = new DynamoStateAndRollupStore(client, names.state);
      const down = { state: 'down' as const, since: 1, failStreak: 2, badStreak: 2, okStreak: 0, fastStreak: 0 };
      expect(await states.saveState('paused-owner', down, 10)).toBe(true);
      expect((await states.fence('paused-owner', ['2030-01-01'], 11))?.state).toEqual(down); // the takeover
      expect(await states.saveState('paused-owner', { ...down, state: 'up' }, 10)).toBe(false); // resumed, refused
      expect((await states.load('paused-owner', '2030-01-01')).state).toEqual(down);
    });
  });

  describe('the change feed', () => {
    it('round-trips checks and keys in order, compactly', async () => {
      const feed = new DynamoChangeFeedStore(client, names.coord);
      const check: StoredCheck = {
        serviceId: 'api',
        at: 1_700_000_000_123,
        ok: false,
        latencyMs: 801,
        error: 'timeout after 800ms',
        state: 'down',
        maintenance: true,
      };
      const ok: StoredCheck = {
        serviceId: 'web',
        at: 1_700_000_000_456,
        ok: true,
        latencyMs: 12,
        statusCode: 200,
        state: 'up',
        maintenance: false,
      };
      await feed.append({
        sk: '1700000000500#b#0000000001',
        writer: 'b',
        at: 1_700_000_000_500,
        changes: [{ kind: 'maintenance' }],
      });
      await feed.append({
        sk: '1700000000400#a#0000000001',
        writer: 'a',
        at: 1_700_000_000_400,
        changes: [
          { kind: 'checks', checks: [check, ok] },
          { kind: 'service', id: 'api' },
          { kind: 'incident', id: 'inc-1' },
          { kind: 'lock', serviceId: 'api' },
        ],
      });
      const read = await feed.readAfter('1700000000000');
      expect(read.map((entry) => entry.writer)).toEqual(['a', 'b']);
      expect(read[0]!.changes).toEqual([
        { kind: 'checks', checks: [check, ok] },
        { kind: 'service', id: 'api' },
        { kind: 'incident', id: 'inc-1' },
        { kind: 'lock', serviceId: 'api' },
      ]);
      expect(await feed.readAfter('1700000000400#a#0000000001')).toHaveLength(1);
    });
  });
});
