import { FakeClock, settle } from '@app/common/testing';
import { FakeClusterView, InMemoryChangeFeedStore, passingCheck, testChangeFeed } from '../testing/index.js';
import { feedKey, type ClusterChange } from './cluster.ports.js';
import type { ChangeFeed } from './change-feed.js';
import { FEED_RETENTION_MS } from './change-feed.js';

const check = passingCheck;

describe('ChangeFeed (how replicas keep each other current)', () => {
  let store: InMemoryChangeFeedStore;
  let clock: FakeClock;

  beforeEach(() => {
    store = new InMemoryChangeFeedStore();
    clock = new FakeClock();
  });

  /** A replica's feed; `peers` are the other replicas it sees alive (they started long ago). */
  function replica(id: string, peers: string[]) {
    const cluster = new FakeClusterView(id);
    for (const peer of peers) cluster.peerList.push({ replicaId: peer, startedAt: 0, firstSeenAt: 0 });
    const feed = testChangeFeed({ store, cluster, exclusive: false, clock });
    const received: ClusterChange[] = [];
    for (const kind of ['checks', 'service', 'incident', 'lock', 'maintenance'] as const)
      feed.on(kind, (change) => void received.push(change));
    feed.start(clock.now());
    return { feed, cluster, received };
  }

  afterEach(async () => {
    await settle();
  });

  const stop = (...feeds: ChangeFeed[]) => Promise.all(feeds.map((feed) => feed.stop()));

  it('publishes stored checks as one item per period, and the other replicas apply them once, in order', async () => {
    const a = replica('a', ['b']);
    const b = replica('b', ['a']);
    const at = clock.now();
    a.feed.publishChecks([check('api', at), check('web', at + 1)]);
    a.feed.publishChecks([check('api', at + 1000)]);
    await a.feed.flush();
    expect(store.entries).toHaveLength(1);
    await b.feed.poll();
    await b.feed.poll(); // nothing new: applied once
    await a.feed.poll(); // its own items are skipped
    expect(b.received).toEqual([
      { kind: 'checks', checks: [check('api', at), check('web', at + 1), check('api', at + 1000)] },
    ]);
    expect(a.received).toEqual([]);
    await stop(a.feed, b.feed);
  });

  it('publishes nothing while alone, and replays the last 30 s when another replica appears', async () => {
    const a = replica('a', []);
    a.feed.publishChecks([check('api', clock.now())]);
    a.feed.publish({ kind: 'service', id: 'api' });
    await a.feed.flush();
    expect(store.entries).toHaveLength(0);
    clock.advance(10_000);
    a.cluster.peerList.push({ replicaId: 'b', startedAt: clock.now(), firstSeenAt: clock.now() });
    a.feed.publishChecks([check('api', clock.now())]);
    await a.feed.flush();
    const published = store.entries.flatMap((entry) => entry.changes);
    expect(published).toContainEqual({ kind: 'service', id: 'api' });
    expect(published.flatMap((change) => (change.kind === 'checks' ? change.checks : []))).toHaveLength(2);
    await stop(a.feed);
  });

  it('reads an item that landed late, after a newer item of another writer was already read', async () => {
    const c = replica('c', ['a', 'b']);
    const base = clock.now();
    await store.append({
      sk: feedKey(base + 2000, 'b', 1),
      writer: 'b',
      at: base + 2000,
      changes: [{ kind: 'lock', serviceId: 'x' }],
    });
    await c.feed.poll();
    // a's item carries an older key (its clock, its request slower) and lands only now
    await store.append({
      sk: feedKey(base + 1000, 'a', 1),
      writer: 'a',
      at: base + 1000,
      changes: [{ kind: 'lock', serviceId: 'y' }],
    });
    await c.feed.poll();
    expect(c.received).toEqual([
      { kind: 'lock', serviceId: 'x' },
      { kind: 'lock', serviceId: 'y' },
    ]);
    await stop(c.feed);
  });

  it('keeps what it could not publish and sends it, in order, once storage answers', async () => {
    const a = replica('a', ['b']);
    const b = replica('b', ['a']);
    store.down = true;
    a.feed.publishChecks([check('api', 1)]);
    await a.feed.flush();
    a.feed.publishChecks([check('api', 2)]);
    await a.feed.flush();
    expect(a.feed.stats.pendingChecks).toBe(2);
    store.down = false;
    await a.feed.flush();
    await b.feed.poll();
    expect(b.received).toEqual([{ kind: 'checks', checks: [check('api', 1), check('api', 2)] }]);
    await stop(a.feed, b.feed);
  });

  it('reloads from the tables when it could not read the feed for longer than half its retention', async () => {
    const b = replica('b', ['a']);
    let reloads = 0;
    b.feed.onGap(() => {
      reloads += 1;
      return Promise.resolve();
    });
    await b.feed.poll();
    store.down = true;
    clock.advance(FEED_RETENTION_MS / 2 + 1000);
    await b.feed.poll();
    store.down = false;
    await b.feed.poll();
    expect(reloads).toBe(1);
    await stop(b.feed);
  });

  it('costs one small read per poll in steady state (positions per writer, not a rescan)', async () => {
    const b = replica('b', ['a']);
    const a = replica('a', ['b']);
    for (let second = 0; second < 5; second += 1) {
      clock.advance(1000);
      a.feed.publishChecks([check('api', clock.now())]);
      await a.feed.flush();
      const before = store.reads;
      await b.feed.poll();
      expect(store.reads - before).toBe(1);
    }
    expect(b.received).toHaveLength(5);
    await stop(a.feed, b.feed);
  });
});
