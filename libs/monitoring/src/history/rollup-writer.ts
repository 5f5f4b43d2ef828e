import type { Logger } from '@nestjs/common';
import type { StateAndRollupStore, StoredCheck } from '../ports.js';
import { dayOf, emptyRollup, foldCheck, lastDays, type DailyRollup } from './rollup.js';

/** One day of one service's rollup in memory, and what is known about its stored copy. */
export interface RollupSlot {
  rollup: DailyRollup;
  /** `through` of the stored copy, null when never stored. */
  persistedThrough: number | null;
  /** Checks folded in since the last successful write. */
  pending: number;
  lastFlushAt: number;
  saving: boolean;
}

/** A service's rollups by day (YYYY-MM-DD), as the runner keeps them. */
export interface ServiceRollups {
  readonly service: { readonly id: string };
  readonly rollups: Map<string, RollupSlot>;
  /** The fencing epoch this replica works the service under; null when it does not (nothing is written then). */
  readonly epoch: number | null;
}

export interface RollupWriterOptions {
  /** Write a day's rollup after this many new checks ... */
  flushChecks: number;
  /** ... or after this long with unwritten checks. */
  flushMs: number;
  /** Days kept in memory. */
  historyDays: number;
}

/**
 * Keeps the daily rollups of every service current in memory and writes them behind: every `flushChecks` checks,
 * after `flushMs`, and when their day is over. Each write is conditional on the stored copy's `through`, so two
 * writers (an overlapping deploy) never lose each other's checks silently, and on the fencing epoch, so a former
 * owner of the service's shard cannot overwrite its new owner (`fenced` is told instead).
 */
export class RollupWriter {
  constructor(
    private readonly store: StateAndRollupStore,
    private readonly options: RollupWriterOptions,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly fenced: (target: ServiceRollups, epoch: number) => void = () => undefined,
  ) {}

  /** Takes the stored rollups of a service as the in-memory starting point. */
  restore(target: ServiceRollups, stored: DailyRollup[], now: number): void {
    for (const rollup of stored) {
      target.rollups.set(rollup.day, {
        rollup,
        persistedThrough: rollup.through,
        pending: 0,
        lastFlushAt: now,
        saving: false,
      });
    }
  }

  /**
   * Counts one check into its day (creating the day, and dropping days older than the history, as needed).
   * `pending` false: a check another replica took and stores itself (shown here, never written from here).
   */
  fold(target: ServiceRollups, check: StoredCheck, now: number, pending = true): void {
    const day = dayOf(check.at);
    let slot = target.rollups.get(day);
    if (!slot) {
      slot = {
        rollup: emptyRollup(target.service.id, day),
        persistedThrough: null,
        pending: 0,
        lastFlushAt: now,
        saving: false,
      };
      target.rollups.set(day, slot);
      const oldest = lastDays(now, this.options.historyDays)[0] as string;
      for (const key of target.rollups.keys()) if (key < oldest) target.rollups.delete(key);
    }
    if (foldCheck(slot.rollup, check) && pending) slot.pending += 1;
  }

  /** Writes every rollup that is due (all with pending checks when `force`); settles when the writes are done. */
  flush(targets: Iterable<ServiceRollups>, now: number, force = false): Promise<unknown> {
    const today = dayOf(now);
    const writes: Promise<void>[] = [];
    for (const target of targets) {
      const epoch = target.epoch;
      if (epoch === null) continue;
      for (const slot of target.rollups.values()) {
        if (slot.pending === 0 || slot.saving) continue;
        const due =
          force ||
          slot.pending >= this.options.flushChecks ||
          now - slot.lastFlushAt >= this.options.flushMs ||
          slot.rollup.day !== today;
        if (due) writes.push(this.save(target, slot, epoch, now));
      }
    }
    return Promise.all(writes);
  }

  private async save(target: ServiceRollups, slot: RollupSlot, epoch: number, now: number): Promise<void> {
    const copy: DailyRollup = {
      ...slot.rollup,
      hourTotal: [...slot.rollup.hourTotal],
      hourFailures: [...slot.rollup.hourFailures],
    };
    const pending = slot.pending;
    slot.saving = true;
    try {
      const result = await this.store.saveRollup(copy, slot.persistedThrough, epoch);
      if (result === 'fenced') {
        this.fenced(target, epoch);
        return;
      }
      if (result === 'conflict') {
        // Another writer moved it (an overlapping deploy): adopt theirs as the base and overwrite next time.
        this.logger.warn(`rollup ${target.service.id}/${copy.day} changed underneath; overwriting on next flush`);
        const fresh = await this.store.load(target.service.id, copy.day);
        slot.persistedThrough = fresh.rollups.find((rollup) => rollup.day === copy.day)?.through ?? null;
        return;
      }
      slot.persistedThrough = copy.through;
      slot.pending -= pending;
      slot.lastFlushAt = now;
    } catch (error) {
      this.logger.warn(`saving rollup ${target.service.id}/${copy.day} failed: ${String(error)}`);
    } finally {
      slot.saving = false;
    }
  }
}
