import {
  CoordinationStore,
  type HeartbeatResult,
  type ReplicaRecord,
  type SeenShard,
  type ShardRecord,
} from '../cluster/cluster.ports.js';

/** Yields once, so concurrent replicas interleave the way network round trips do. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * CoordinationStore with the DynamoDB adapter's semantics (conditional single-item writes, copies in and out, a
 * round trip per call), shared by the coordinators of several simulated replicas. `down` makes every call fail,
 * as an unreachable DynamoDB would.
 */
export class InMemoryCoordinationStore extends CoordinationStore {
  readonly replicaItems = new Map<string, ReplicaRecord>();
  readonly shardItems = new Map<number, ShardRecord>();
  epochCounter = 0;
  down = false;

  private async call(): Promise<void> {
    await roundTrip();
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:8000');
  }

  async register(replica: ReplicaRecord): Promise<void> {
    await this.call();
    this.replicaItems.set(replica.replicaId, { ...replica });
  }

  async heartbeat(replicaId: string, incarnation: string, seq: number, at: number): Promise<HeartbeatResult> {
    await this.call();
    const item = this.replicaItems.get(replicaId);
    if (!item) return 'missing';
    if (item.incarnation !== incarnation) return 'superseded';
    this.replicaItems.set(replicaId, { ...item, seq, heartbeatAt: at });
    return 'renewed';
  }

  async leave(replicaId: string, incarnation: string): Promise<void> {
    await this.call();
    if (this.replicaItems.get(replicaId)?.incarnation === incarnation) this.replicaItems.delete(replicaId);
  }

  async forget(replicaId: string, seq: number): Promise<void> {
    await this.call();
    if (this.replicaItems.get(replicaId)?.seq === seq) this.replicaItems.delete(replicaId);
  }

  async replicas(): Promise<ReplicaRecord[]> {
    await this.call();
    return [...this.replicaItems.values()].map((item) => ({ ...item }));
  }

  async shards(): Promise<ShardRecord[]> {
    await this.call();
    return [...this.shardItems.values()].map((item) => ({ ...item }));
  }

  async nextEpoch(): Promise<number> {
    await this.call();
    this.epochCounter += 1;
    return this.epochCounter;
  }

  async claim(shard: number, seen: SeenShard | null, owner: string, epoch: number, at: number): Promise<boolean> {
    await this.call();
    const item = this.shardItems.get(shard);
    const matches =
      seen === null ? item === undefined : item !== undefined && item.owner === seen.owner && item.epoch === seen.epoch;
    if (!matches) return false;
    this.shardItems.set(shard, { shard, owner, epoch, since: at, takenFrom: seen?.owner ?? null });
    return true;
  }

  async release(shard: number, owner: string, epoch: number, at: number): Promise<boolean> {
    await this.call();
    const item = this.shardItems.get(shard);
    if (item?.owner !== owner || item.epoch !== epoch) return false;
    this.shardItems.set(shard, { ...item, owner: null, since: at, takenFrom: null });
    return true;
  }

  /** Shards per owner (free ones under null). */
  owners(): Map<string | null, number[]> {
    const out = new Map<string | null, number[]>();
    for (const item of [...this.shardItems.values()].sort((a, b) => a.shard - b.shard))
      out.set(item.owner, [...(out.get(item.owner) ?? []), item.shard]);
    return out;
  }
}
