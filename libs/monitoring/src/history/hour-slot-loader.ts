import type { StateAndRollupStore, StoredServiceState } from '../ports.js';
import type { DailyRollup } from './rollup.js';

/** Services whose rollups one read asks for (2 days each: one BatchGetItem of 100 keys in DynamoDB). */
const BATCH_SERVICES = 50;

/**
 * Boot reads every rollup without its hour slots in its one pass (they are most of the bytes, and the page served
 * right after does not show them). The days that do show them (the last 24 hours: yesterday and today) are read
 * whole here before each service's restore installs its rollups: in batches, in the order the restore asks, one
 * batch ahead. A restore must have them before it installs anything: the rollup writer rewrites today's item
 * whole, so a day installed without its hour slots would write them back as zero.
 */
export class HourSlotLoader {
  private readonly batchOf = new Map<string, number>();
  private readonly batches: string[][] = [];
  private readonly reads = new Map<number, Promise<Map<string, DailyRollup[]>>>();

  /** `serviceIds` in the order their restores are expected to ask. */
  constructor(
    private readonly store: Pick<StateAndRollupStore, 'loadRollups'>,
    serviceIds: readonly string[],
    private readonly days: readonly string[],
    batchServices = BATCH_SERVICES,
  ) {
    for (const [index, id] of serviceIds.entries()) {
      const batch = Math.floor(index / batchServices);
      this.batchOf.set(id, batch);
      (this.batches[batch] ??= []).push(id);
    }
  }

  /** `stored` (from the boot pass) with its rollups of `days` replaced by the whole stored items. */
  async complete(serviceId: string, stored: StoredServiceState): Promise<StoredServiceState> {
    const batch = this.batchOf.get(serviceId);
    if (batch === undefined || this.days.length === 0) return stored;
    const whole = await this.read(batch);
    // The next batch is read while this one's services restore (a failed read is retried by whoever needs it).
    this.read(batch + 1).catch(() => undefined);
    return withWholeDays(stored, whole.get(serviceId) ?? []);
  }

  private read(batch: number): Promise<Map<string, DailyRollup[]>> {
    const ids = this.batches[batch];
    if (ids === undefined) return Promise.resolve(new Map<string, DailyRollup[]>());
    let read = this.reads.get(batch);
    if (!read) {
      read = this.store
        .loadRollups(ids.flatMap((serviceId) => this.days.map((day) => ({ serviceId, day }))))
        .then((rollups) => {
          const byService = new Map<string, DailyRollup[]>();
          for (const rollup of rollups)
            byService.set(rollup.serviceId, [...(byService.get(rollup.serviceId) ?? []), rollup]);
          return byService;
        });
      this.reads.set(batch, read);
      // A failed read is forgotten, so the restore's retry reads again.
      read.catch(() => this.reads.delete(batch));
    }
    return read;
  }
}

/**
 * `stored` (a boot pass's read) with its rollups of the days in `whole` replaced by those whole items; the rest as
 * read (the copy of the finished days, older than them, and its `through`).
 */
export function withWholeDays(stored: StoredServiceState, whole: readonly DailyRollup[]): StoredServiceState {
  const byDay = new Map(stored.rollups.map((rollup) => [rollup.day, rollup]));
  for (const rollup of whole) byDay.set(rollup.day, rollup);
  return { ...stored, rollups: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)) };
}
