export const CLUSTER_OPTIONS = Symbol('CLUSTER_OPTIONS');

/** How this replica takes part in the cluster; the app fills it from REPLICA_ID, REPLICA_LEASE and the storage mode. */
export interface ClusterOptions {
  /** This replica's name in the coordination table (REPLICA_ID, or generated at boot). */
  replicaId: string;
  /**
   * The lease: a replica that stops heartbeating has its shards taken over within this time (and its services
   * checked again within lease + their interval).
   */
  leaseMs: number;
  /**
   * True when no other process can share the storage (the embedded DynamoDB lives inside this process): every
   * shard is claimed at once, nothing is fenced or published.
   */
  exclusive: boolean;
  /** How often other replicas' changes are read (the change feed poll). */
  feedPollMs: number;
  /** How long finished checks are gathered before they are published as one feed item. */
  feedPublishMs: number;
}

export const DEFAULT_CLUSTER_OPTIONS: Omit<ClusterOptions, 'replicaId'> = {
  leaseMs: 15_000,
  exclusive: false,
  feedPollMs: 1_000,
  feedPublishMs: 1_000,
};

/**
 * The timing that follows from the lease L (see README "Replicas"): heartbeat and shard round every L/6; another
 * replica is expired once its heartbeat has been seen unchanged for L/2 of our own clock; a replica whose last
 * successful heartbeat was sent more than L/3 ago holds its unconditional writes (it may be the one expired).
 * A dead replica is therefore noticed at most L/6 + L/2 + L/6 = 5L/6 after its last heartbeat landed, which
 * leaves L/6 for claiming, fencing and restoring its services inside the lease.
 */
export function clusterTiming(leaseMs: number): { roundMs: number; expireMs: number; holdAfterMs: number } {
  return { roundMs: Math.round(leaseMs / 6), expireMs: Math.round(leaseMs / 2), holdAfterMs: Math.round(leaseMs / 3) };
}
