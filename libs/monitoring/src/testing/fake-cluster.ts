import { SystemClock, type Clock } from '@app/common';
import { ChangeFeed } from '../cluster/change-feed.js';
import { DEFAULT_CLUSTER_OPTIONS, type ClusterOptions } from '../cluster/cluster.options.js';
import { ClusterView, type Peer } from '../cluster/shard-leases.js';
import { InMemoryChangeFeedStore } from './in-memory-change-feed-store.js';

/** The cluster as a spec wants it: a replica id and the peers it pretends to see. */
export class FakeClusterView extends ClusterView {
  readonly peerList: Peer[] = [];

  constructor(readonly replicaId = 'solo') {
    super();
  }

  liveReplicas(): number {
    return 1 + this.peerList.length;
  }

  peers(): Peer[] {
    return [...this.peerList];
  }
}

/**
 * A change feed for specs. Exclusive by default (a lone replica: nothing published or read); pass a shared store
 * and a cluster view to let simulated replicas talk.
 */
export function testChangeFeed(
  options: {
    store?: InMemoryChangeFeedStore;
    cluster?: ClusterView;
    exclusive?: boolean;
    clock?: Clock;
    overrides?: Partial<ClusterOptions>;
  } = {},
): ChangeFeed {
  const cluster = options.cluster ?? new FakeClusterView();
  return new ChangeFeed(
    options.store ?? new InMemoryChangeFeedStore(),
    cluster,
    {
      ...DEFAULT_CLUSTER_OPTIONS,
      replicaId: cluster.replicaId,
      exclusive: options.exclusive ?? true,
      ...options.overrides,
    },
    options.clock ?? new SystemClock(),
  );
}
