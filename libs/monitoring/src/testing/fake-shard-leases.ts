import { SHARD_COUNT } from '../cluster/shards.js';
import { ShardLeases, type ShardHost } from '../cluster/shard-leases.js';

/**
 * ShardLeases driven by the spec. By default this replica owns every shard at epoch 1 and has the storage to
 * itself (no fencing), which is what a lone `npm start` is. Specs can `claim` shards for the runner's next load,
 * make it `hold`, or take shards away (`lose`) to see what the runner does.
 */
export class FakeShardLeases extends ShardLeases {
  readonly owned = new Map<number, number>();
  readonly pending = new Map<number, number>();
  readonly lostCalls: { shard: number; epoch: number }[] = [];
  host: ShardHost | null = null;
  fencing = false;
  holding = false;

  constructor(ownAll = true) {
    super();
    if (ownAll) for (let shard = 0; shard < SHARD_COUNT; shard += 1) this.owned.set(shard, 1);
  }

  epochOf(shard: number): number | null {
    return this.owned.get(shard) ?? null;
  }

  claimed(): Map<number, number> {
    return new Map(this.pending);
  }

  adopted(shard: number, epoch: number): void {
    if (this.pending.get(shard) !== epoch) return;
    this.pending.delete(shard);
    this.owned.set(shard, epoch);
  }

  admit(shard: number, epoch: number): 'write' | 'hold' | 'drop' {
    if (this.owned.get(shard) !== epoch) return 'drop';
    return this.holding ? 'hold' : 'write';
  }

  lost(shard: number, epoch: number): void {
    this.lostCalls.push({ shard, epoch });
    // As the coordinator: a claim not yet adopted is given up the same way.
    if (this.pending.get(shard) === epoch) {
      this.pending.delete(shard);
      this.host?.drop(shard);
      return;
    }
    if (this.owned.get(shard) !== epoch) return;
    this.owned.delete(shard);
    this.host?.drop(shard);
  }

  attach(host: ShardHost): void {
    this.host = host;
  }

  /** Marks a shard claimed at `epoch`, to be adopted by the runner's next load. */
  claim(shard: number, epoch: number): void {
    this.pending.set(shard, epoch);
  }

  /** The coordinator's takeover path: claim and let the runner adopt (fencing and restoring its services). */
  async takeOver(shard: number, epoch: number): Promise<'adopted' | 'fenced'> {
    const result = await (this.host as ShardHost).adopt(shard, epoch, this.fencing);
    if (result === 'adopted') this.owned.set(shard, epoch);
    return result;
  }

  /** Another replica took the shard: the runner stops working it. */
  lose(shard: number): void {
    this.owned.delete(shard);
    this.host?.drop(shard);
  }
}
