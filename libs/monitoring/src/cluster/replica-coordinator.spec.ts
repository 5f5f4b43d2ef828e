import { FakeClock } from '@app/common/testing';
import { InMemoryCoordinationStore } from '../testing/index.js';
import { DEFAULT_CLUSTER_OPTIONS, clusterTiming } from './cluster.options.js';
import { ReplicaCoordinator } from './replica-coordinator.js';
import type { ShardHost } from './shard-leases.js';
import { SHARD_COUNT } from './shards.js';

const LEASE = 6_000;
const { roundMs, expireMs, holdAfterMs } = clusterTiming(LEASE);

/** The runner as the coordinator sees it: records what it is asked to do, adopts at once. */
class RecordingHost implements ShardHost {
  readonly adopted: { shard: number; epoch: number; fence: boolean }[] = [];
  readonly dropped: number[] = [];
  readonly handedOver: number[] = [];
  /** What the coordinator said of each shard's epoch while the runner handed it over. */
  readonly epochDuringHandover = new Map<number, number | null>();
  leases: ReplicaCoordinator | null = null;
  readonly resynced: number[] = [];
  answer: 'adopted' | 'fenced' = 'adopted';
  /** Runs when the coordinator waits for the writes in flight (a spec looks at the lease from inside). */
  onSettle: () => Promise<void> = () => Promise.resolve();

  adopt(shard: number, epoch: number, fence: boolean): Promise<'adopted' | 'fenced'> {
    this.adopted.push({ shard, epoch, fence });
    return Promise.resolve(this.answer);
  }
  drop(shard: number): void {
    this.dropped.push(shard);
  }
  handOver(shard: number): Promise<void> {
    this.handedOver.push(shard);
    this.epochDuringHandover.set(shard, this.leases?.epochOf(shard) ?? null);
    return Promise.resolve();
  }
  resync(shard: number): Promise<void> {
    this.resynced.push(shard);
    return Promise.resolve();
  }
  settle(): Promise<void> {
    return this.onSettle();
  }
}

describe('ReplicaCoordinator (membership and shard leases)', () => {
  let store: InMemoryCoordinationStore;
  let clock: FakeClock;

  beforeEach(() => {
    store = new InMemoryCoordinationStore();
    clock = new FakeClock();
  });

  /** A replica with its own clock view (all share the fake clock), joined and started, driven round by round. */
  async function replica(replicaId: string, options: { exclusive?: boolean } = {}) {
    const coordinator = new ReplicaCoordinator(
      store,
      { ...DEFAULT_CLUSTER_OPTIONS, replicaId, leaseMs: LEASE, exclusive: options.exclusive ?? false },
      clock,
    );
    const host = new RecordingHost();
    host.leases = coordinator;
    coordinator.attach(host);
    await coordinator.join();
    coordinator.start(false);
    return { coordinator, host };
  }

  /** One round of each replica, `roundMs` apart, then their background adoptions and handovers. */
  async function rounds(replicas: { coordinator: ReplicaCoordinator }[], count = 1): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      clock.advance(roundMs);
      for (const { coordinator } of replicas) await coordinator.round();
      for (const { coordinator } of replicas) await coordinator.idle();
    }
  }

  const owned = (coordinator: ReplicaCoordinator) => coordinator.status().shards;

  it('alone, claims every shard at once, each under its own increasing epoch', async () => {
    const { coordinator } = await replica('a');
    expect(coordinator.claimed().size).toBe(SHARD_COUNT);
    const epochs = [...coordinator.claimed().values()];
    expect(new Set(epochs).size).toBe(SHARD_COUNT);
    expect(coordinator.liveReplicas()).toBe(1);
    expect([...store.shardItems.values()].every((item) => item.owner === 'a')).toBe(true);
  });

  it('three replicas split the shards 11/11/10, every shard worked by exactly one of them', async () => {
    const replicas = [await replica('a'), await replica('b'), await replica('c')];
    await rounds(replicas, 6);
    const sets = replicas.map(({ coordinator }) => owned(coordinator));
    expect(sets.map((set) => set.length).sort()).toEqual([10, 11, 11]);
    expect(new Set(sets.flat()).size).toBe(SHARD_COUNT);
    for (const { coordinator } of replicas) expect(coordinator.liveReplicas()).toBe(3);
    // the first replica handed its surplus over cleanly (handOver before release), nothing was taken by force
    expect(replicas[0]!.host.handedOver.length).toBeGreaterThan(0);
    expect(replicas.every(({ coordinator }) => coordinator.status().takeovers === 0)).toBe(true);
  });

  it('takes over a silent replica only after seeing its heartbeat stand still for lease/2, under newer epochs', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await rounds([a, b], 6);
    const bShards = owned(b.coordinator);
    const bEpochs = bShards.map((shard) => store.shardItems.get(shard)!.epoch);
    // b dies: no more rounds. a keeps going; just short of the expiry it must not touch b's shards.
    await rounds([a], Math.floor(expireMs / roundMs) - 1);
    expect(owned(a.coordinator).some((shard) => bShards.includes(shard))).toBe(false);
    expect(a.coordinator.liveReplicas()).toBe(2);
    await rounds([a], 2);
    expect(owned(a.coordinator)).toHaveLength(SHARD_COUNT);
    for (const [index, shard] of bShards.entries()) {
      const item = store.shardItems.get(shard)!;
      expect(item).toMatchObject({ owner: 'a', takenFrom: 'b' });
      expect(item.epoch).toBeGreaterThan(bEpochs[index]!);
    }
    expect(a.host.adopted.filter(({ shard }) => bShards.includes(shard)).every(({ fence }) => fence)).toBe(true);
    expect(a.coordinator.status().takeovers).toBe(bShards.length);
  });

  it('holds unconditional writes once its heartbeat has failed for lease/3, claims nothing, and resumes after', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await rounds([a, b], 6);
    const [shard] = owned(a.coordinator);
    const epoch = a.coordinator.epochOf(shard!)!;
    expect(a.coordinator.admit(shard!, epoch)).toBe('write');
    store.down = true;
    await rounds([a, b], Math.ceil(holdAfterMs / roundMs));
    expect(a.coordinator.admit(shard!, epoch)).toBe('hold');
    expect(a.coordinator.status().holding).toBe(true);
    // An outage much longer than the lease: when storage returns nobody takes anything over (nobody could
    // heartbeat; each must first be seen standing still for a whole expiry period).
    await rounds([a, b], Math.ceil((3 * LEASE) / roundMs));
    store.down = false;
    // Back after a lapse longer than lease/2: the shards are confirmed again only once a claim decided on an old
    // view would have landed (lease/3 + one round after the first heartbeat that got through).
    await rounds([a, b], 1);
    expect(a.coordinator.admit(shard!, epoch)).toBe('hold');
    await rounds([a, b], Math.ceil((holdAfterMs + roundMs) / roundMs));
    expect(a.coordinator.admit(shard!, epoch)).toBe('write');
    expect(a.coordinator.status().takeovers + b.coordinator.status().takeovers).toBe(0);
    expect(new Set([...owned(a.coordinator), ...owned(b.coordinator)]).size).toBe(SHARD_COUNT);
  });

  it('drops a shard whose item names a newer owner (it was taken while this replica was presumed dead)', async () => {
    const a = await replica('a');
    await rounds([a], 1);
    const item = store.shardItems.get(5)!;
    // z, alive (it just registered), took shard 5 while a was thought dead
    await store.register({ replicaId: 'z', incarnation: 'z1', startedAt: 0, heartbeatAt: 0, seq: 1, leaseMs: LEASE });
    store.shardItems.set(5, { ...item, owner: 'z', epoch: item.epoch + 100, takenFrom: 'a' });
    await rounds([a], 1);
    expect(a.host.dropped).toContain(5);
    expect(a.coordinator.epochOf(5)).toBeNull();
    expect(a.coordinator.admit(5, item.epoch)).toBe('drop');
  });

  it('stops working a shard when a write met a newer epoch (lost), and tells the runner', async () => {
    const a = await replica('a');
    await rounds([a], 1);
    const epoch = a.coordinator.epochOf(3)!;
    a.coordinator.lost(3, epoch - 1); // a stale report: ignored
    expect(a.coordinator.epochOf(3)).toBe(epoch);
    a.coordinator.lost(3, epoch);
    expect(a.coordinator.epochOf(3)).toBeNull();
    expect(a.host.dropped).toEqual([3]);
  });

  it('a restart under the same REPLICA_ID takes its shards back at once; the old process is superseded', async () => {
    const old = await replica('host-1');
    await rounds([old], 1);
    const fresh = await replica('host-1');
    expect(fresh.coordinator.claimed().size).toBe(SHARD_COUNT); // no waiting for an expiry
    await rounds([old], 1);
    expect(old.coordinator.status()).toMatchObject({ superseded: true, shards: [] });
    expect(old.host.dropped).toHaveLength(SHARD_COUNT);
  });

  it('with exclusive storage (the embedded DynamoDB) claims everything at join, whoever held it', async () => {
    await replica('ghost'); // a previous run's owner, never heard of again
    const solo = await replica('solo', { exclusive: true });
    expect(solo.coordinator.claimed().size).toBe(SHARD_COUNT);
    expect(solo.coordinator.liveReplicas()).toBe(1);
    const [shard] = [...solo.coordinator.claimed().keys()];
    store.down = true;
    clock.advance(LEASE);
    solo.coordinator.adopted(shard!, solo.coordinator.claimed().get(shard!)!);
    expect(solo.coordinator.admit(shard!, solo.coordinator.epochOf(shard!)!)).toBe('write'); // nothing to fence
  });

  it('a replica booting next to the items of crashed replicas takes the freed shards at once, not a ninth of them', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await rounds([a, b], 6);
    for (const ghost of ['dead-1', 'dead-2', 'dead-3', 'dead-4', 'dead-5', 'dead-6'])
      await store.register({
        replicaId: ghost,
        incarnation: 'x',
        startedAt: 0,
        heartbeatAt: 0,
        seq: 7,
        leaseMs: LEASE,
      });
    await b.coordinator.leave(); // a rolling restart: b frees its 16 shards ...
    const c = await replica('c'); // ... and its successor boots among 8 listed replicas, 6 of them long dead
    expect(c.coordinator.claimed().size).toBe(16);
    await rounds([a, c], 6);
    expect(owned(a.coordinator)).toHaveLength(16);
    expect(owned(c.coordinator)).toHaveLength(16);
  });

  it('a clean leave frees its shards for the others at once', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await rounds([a, b], 6);
    await b.coordinator.leave();
    expect(store.replicaItems.has('b')).toBe(false);
    await rounds([a], 1);
    expect(owned(a.coordinator)).toHaveLength(SHARD_COUNT);
    expect(a.coordinator.status().takeovers).toBe(0);
  });

  it('frees a shard the table says is its own but it does not work (an unanswered claim)', async () => {
    const a = await replica('a');
    await rounds([a], 1);
    const b = await replica('b');
    await rounds([a, b], 6);
    const stray = owned(b.coordinator)[0]!;
    store.shardItems.set(stray, { ...store.shardItems.get(stray)!, owner: 'a' });
    await rounds([a], 1);
    expect(store.shardItems.get(stray)!.owner).toBeNull();
  });

  it('reloads the shards another replica took from a crashed owner (its copy may lack the last checks)', async () => {
    const [a, b, c] = [await replica('a'), await replica('b'), await replica('c')];
    await rounds([a, b, c], 6);
    const cShards = owned(c.coordinator);
    await rounds([a, b], Math.ceil(expireMs / roundMs) + 2);
    const takenByA = owned(a.coordinator).filter((shard) => cShards.includes(shard));
    expect(takenByA.length).toBeGreaterThan(0);
    for (const shard of takenByA) expect(b.host.resynced).toContain(shard);
  });

  describe('no check of ours can reach storage after a shard is released (the new owner reads its history first)', () => {
    it('a handover stops admitting the shard, waits for the appends in flight, and only then releases it', async () => {
      const [a, b] = [await replica('a'), await replica('b')];
      const seen = new Map<number, { admit: string; owner: string | null }>();
      a.host.onSettle = () => {
        // the moment the runner waits for its appends: revoked already, still ours in the table
        for (const shard of a.host.handedOver) {
          const item = store.shardItems.get(shard)!;
          const admit = a.coordinator.admit(shard, item.epoch);
          // (handovers run side by side: a shard revoked later is seen at a later wait)
          if (!seen.has(shard) && admit === 'drop') seen.set(shard, { admit, owner: item.owner });
        }
        return Promise.resolve();
      };
      await rounds([a, b], 6);
      expect(a.host.handedOver.length).toBeGreaterThan(0);
      expect([...seen.keys()].sort()).toEqual([...a.host.handedOver].sort());
      expect([...seen.values()].every(({ admit, owner }) => admit === 'drop' && owner === 'a')).toBe(true);
      for (const shard of a.host.handedOver) expect(store.shardItems.get(shard)!.owner).not.toBe('a');
    });

    it('a service added to a shard being handed over gets no epoch here: the next owner checks it', async () => {
      const [a, b] = [await replica('a'), await replica('b')];
      await rounds([a, b], 6);
      expect(a.host.handedOver.length).toBeGreaterThan(0);
      for (const shard of a.host.handedOver) {
        // worked here under an epoch until then
        expect(a.host.adopted.map((adoption) => adoption.shard)).toContain(shard);
        expect(a.host.epochDuringHandover.get(shard)).toBeNull();
      }
    });

    it('leave revokes every shard and waits for the appends before it releases any', async () => {
      const a = await replica('a');
      await rounds([a], 1);
      const shards = owned(a.coordinator);
      const during: { admitted: string[]; owners: (string | null)[] } = { admitted: [], owners: [] };
      a.host.onSettle = () => {
        during.admitted = shards.map((shard) => a.coordinator.admit(shard, store.shardItems.get(shard)!.epoch));
        during.owners = shards.map((shard) => store.shardItems.get(shard)!.owner);
        return Promise.resolve();
      };
      await a.coordinator.leave();
      expect(new Set(during.admitted)).toEqual(new Set(['drop']));
      expect(new Set(during.owners)).toEqual(new Set(['a']));
      expect(shards.every((shard) => store.shardItems.get(shard)!.owner === null)).toBe(true);
    });

    it('when the appends do not settle within lease/3, leave releases nothing and keeps its membership', async () => {
      const a = await replica('a');
      await rounds([a], 1);
      a.host.onSettle = () => new Promise<void>(() => undefined); // a request to storage that never answers
      await a.coordinator.leave();
      expect([...store.shardItems.values()].every((item) => item.owner === 'a')).toBe(true);
      expect(store.replicaItems.has('a')).toBe(true); // others take its shards only after seeing it expire
    });
  });

  describe('a replica that was silent for lease/2 may have lost its shards: it writes nothing until it knows', () => {
    it('heartbeats while the runner loads (join with heartbeats), adopting nothing before start()', async () => {
      const coordinator = new ReplicaCoordinator(
        store,
        { ...DEFAULT_CLUSTER_OPTIONS, replicaId: 'loader', leaseMs: LEASE, exclusive: false },
        clock,
      );
      const host = new RecordingHost();
      coordinator.attach(host);
      await coordinator.join(true);
      const seq = store.replicaItems.get('loader')!.seq;
      await new Promise((resolve) => setTimeout(resolve, roundMs + 300)); // the runner is still loading
      expect(store.replicaItems.get('loader')!.seq).toBeGreaterThan(seq);
      expect(host.adopted).toEqual([]);
      await coordinator.leave();
    });

    it('the heartbeat that ends a lapse admits no write by itself, not even while the shard items are read', async () => {
      const a = await replica('a');
      await rounds([a], 1);
      const [shard] = owned(a.coordinator);
      const epoch = a.coordinator.epochOf(shard!)!;
      clock.advance(expireMs + roundMs); // a was paused (GC, starved CPU): the others could have expired it
      const during: string[] = [];
      const shards = store.shards.bind(store);
      store.shards = () => {
        during.push(a.coordinator.admit(shard!, epoch));
        return shards();
      };
      await a.coordinator.round();
      expect(during).toEqual(['hold']);
      expect(a.coordinator.admit(shard!, epoch)).toBe('hold');
      await rounds([a], Math.ceil((holdAfterMs + roundMs) / roundMs));
      expect(a.coordinator.admit(shard!, epoch)).toBe('write');
    });

    it('takes shards from a replica seen dead only while its view is at most a round old', async () => {
      const [a, b] = [await replica('a'), await replica('b')];
      await rounds([a, b], 6);
      const aShards = owned(a.coordinator);
      await rounds([b], Math.floor(expireMs / roundMs) - 1); // a falls silent; b is about to declare it dead
      const claim = store.claim.bind(store);
      store.claim = (...args: Parameters<typeof store.claim>) => {
        clock.advance(roundMs); // a slow store: each claim takes a round
        return claim(...args);
      };
      clock.advance(roundMs);
      await b.coordinator.round();
      // two claims fit in the round-old view; the third would act on a view a could have moved out of meanwhile
      expect(
        owned(b.coordinator)
          .concat(b.coordinator.status().adopting)
          .filter((x) => aShards.includes(x)),
      ).toHaveLength(2);
    });
  });
});
