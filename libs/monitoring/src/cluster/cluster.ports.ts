import type { StoredCheck } from '../ports.js';

/** One replica's membership item: written at boot, its heartbeat renewed every round, deleted when it leaves. */
export interface ReplicaRecord {
  replicaId: string;
  /** Random per boot: a restart under the same REPLICA_ID supersedes the previous process. */
  incarnation: string;
  startedAt: number;
  /** The writer's clock at its last heartbeat (shown in /api/health; expiry uses the reader's own clock). */
  heartbeatAt: number;
  /** Bumped by every heartbeat: others expire a replica whose seq they have seen standing still for L/2. */
  seq: number;
  leaseMs: number;
}

export type HeartbeatResult = 'renewed' | 'superseded' | 'missing';

/** Who works a shard. `epoch` is the fencing token: globally increasing, stamped on every item the owner writes. */
export interface ShardRecord {
  shard: number;
  /** null when free (released, or never claimed). */
  owner: string | null;
  epoch: number;
  /** When the current owner claimed it (its clock), or when it was released. */
  since: number;
  /** The owner it was taken from without a release (a crash); null after a clean handover. */
  takenFrom: string | null;
}

/** What a shard looked like when a claim was decided: the claim applies only if it is still so. */
export interface SeenShard {
  owner: string | null;
  epoch: number;
}

/** Port: the coordination items (membership, shard leases, the epoch counter); every write is single-item conditional. */
export abstract class CoordinationStore {
  /** Writes this incarnation's membership item (replacing an older incarnation of the same replica id). */
  abstract register(replica: ReplicaRecord): Promise<void>;
  /**
   * Renews the heartbeat: 'superseded' when another incarnation of this replica id has registered since,
   * 'missing' when the item is gone (it expired and was forgotten while this replica was cut off).
   */
  abstract heartbeat(replicaId: string, incarnation: string, seq: number, at: number): Promise<HeartbeatResult>;
  /** Deletes this incarnation's membership item (a clean shutdown, after its shards were released). */
  abstract leave(replicaId: string, incarnation: string): Promise<void>;
  /** Deletes a long-expired membership item, unless it heartbeat meanwhile. */
  abstract forget(replicaId: string, seq: number): Promise<void>;
  /** Every membership item (strongly consistent). */
  abstract replicas(): Promise<ReplicaRecord[]>;
  /** Every shard item that exists (strongly consistent); shards never claimed have none. */
  abstract shards(): Promise<ShardRecord[]>;
  /** A new fencing token: an atomic counter, so tokens only ever grow. */
  abstract nextEpoch(): Promise<number>;
  /** Takes a shard if it is still as `seen` (null: never claimed); returns whether it was taken. */
  abstract claim(shard: number, seen: SeenShard | null, owner: string, epoch: number, at: number): Promise<boolean>;
  /** Frees a shard, only while `owner` still holds it at `epoch`. */
  abstract release(shard: number, owner: string, epoch: number, at: number): Promise<boolean>;
}

/** What one replica tells the others. Checks travel whole (compactly); everything else names what to re-read. */
export type ClusterChange =
  | { kind: 'checks'; checks: StoredCheck[] }
  | { kind: 'service'; id: string }
  | { kind: 'incident'; id: string }
  | { kind: 'lock'; serviceId: string }
  | { kind: 'maintenance' };

export type ClusterChangeKind = ClusterChange['kind'];

/** One item of the change feed: a writer's changes of up to one publish period. */
export interface FeedEntry {
  /** Sort key: `<epoch ms, 13 digits>#<writer>#<seq, 10 digits>`, increasing per writer. */
  sk: string;
  writer: string;
  at: number;
  changes: ClusterChange[];
}

/** Port: the change feed, one time-ordered partition that every replica appends to and reads. */
export abstract class ChangeFeedStore {
  abstract append(entry: FeedEntry): Promise<void>;
  /** Entries with a sort key after `afterSk`, in order (strongly consistent, every page). */
  abstract readAfter(afterSk: string): Promise<FeedEntry[]>;
}

/** The feed sort key; padded so that string order is time order. */
export function feedKey(at: number, writer: string, seq: number): string {
  return `${String(Math.max(0, Math.floor(at))).padStart(13, '0')}#${writer}#${String(seq).padStart(10, '0')}`;
}
