import { createHash } from 'node:crypto';

/**
 * Services are spread over a fixed number of shards; a shard is the unit of ownership between replicas. 32 keeps
 * the per-round shard read to one small Query (32 items < 4 KB) and lets up to five replicas share work within
 * one shard of each other. It must not change between versions running side by side (a service would then
 * belong to two shards at once); fencing epochs are global, so even a change would never let a stale owner win.
 */
export const SHARD_COUNT = 32;

/**
 * A service's shard: SHA-1 of its id, not the scheduler's FNV phase, so the services of one shard are spread
 * over every second of the minute instead of sharing a phase residue.
 */
export function shardOf(serviceId: string): number {
  return createHash('sha1').update(serviceId).digest().readUInt32BE(0) % SHARD_COUNT;
}
