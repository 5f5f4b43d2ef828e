/** What the coordinator asks of the runner when shard ownership changes. */
export interface ShardHost {
  /**
   * Starts working a shard at `epoch`: unless `fence` is false, first stamps the epoch on each of its services'
   * state and today's rollup (so any older owner's later write fails), then restores them from storage. Resolves
   * 'fenced' when a newer epoch was found on one of them; throws when storage failed (it is retried next round).
   */
  adopt(shard: number, epoch: number, fence: boolean): Promise<'adopted' | 'fenced'>;
  /** Stops working a shard at once (it belongs to someone else now); nothing more is written for it. */
  drop(shard: number): void;
  /** A clean handover: stop dispatching, let running checks finish, write and publish everything buffered. */
  handOver(shard: number): Promise<void>;
  /**
   * Settles the writes already admitted (checks go out as unconditional appends): once the coordinator stopped
   * admitting a shard's checks and this resolved, nothing of that shard can reach storage any more.
   */
  settle(): Promise<void>;
  /** Reloads a shard's services from storage (another replica took it over after a crash). */
  resync(shard: number): Promise<void>;
}

/** What the runner asks of the coordinator, per shard. */
export abstract class ShardLeases {
  /** False when this replica has the storage to itself: nothing needs stamping before it works a shard. */
  abstract readonly fencing: boolean;
  /** The epoch this replica works a shard under, or null when it does not (or not yet) work it. */
  abstract epochOf(shard: number): number | null;
  /** Shards claimed but not yet adopted (at boot the runner adopts them while it loads the catalog). */
  abstract claimed(): Map<number, number>;
  /** The runner adopted a claimed shard itself (at boot). */
  abstract adopted(shard: number, epoch: number): void;
  /**
   * May results taken under `epoch` be written without a condition (checks)? 'hold' while this replica cannot
   * confirm its lease (storage unreachable), 'drop' once the shard is someone else's.
   */
  abstract admit(shard: number, epoch: number): 'write' | 'hold' | 'drop';
  /** A conditional write met a newer epoch: the shard was taken over. */
  abstract lost(shard: number, epoch: number): void;
  abstract attach(host: ShardHost): void;
}

/** A live peer as this replica sees it (the change feed reads from each one's position). */
export interface Peer {
  replicaId: string;
  startedAt: number;
  /** Our clock when we first saw it. */
  firstSeenAt: number;
}

/** The cluster as other libraries (incidents, health, the feed) see it. */
export abstract class ClusterView {
  abstract readonly replicaId: string;
  /** Replicas alive as far as this one knows, itself included (1 when alone or exclusive). */
  abstract liveReplicas(): number;
  abstract peers(): Peer[];
}
