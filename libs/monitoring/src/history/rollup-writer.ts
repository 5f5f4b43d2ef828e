import type { Logger } from '@nestjs/common';
import type { StateAndRollupStore, StoredCheck } from '../ports.js';
import {
  NO_HOURS,
  copyRollup,
  dayOf,
  sameRollup,
  emptyRollup,
  foldCheck,
  lastDays,
  type DailyRollup,
} from './rollup.js';
import type { FinishedDays, UnpackedDay } from './finished-days.js';
import { InFlightLimit, WRITES_PER_TURN, inTurns } from '../scheduling/in-turns.js';

/** One day of one service's rollup in memory, and what is known about its stored copy. */
export interface RollupSlot {
  /** What the page shows: every check taken (or heard of), stored yet or not. */
  rollup: DailyRollup;
  /**
   * What may be written: only checks the check store has accepted. So a stored rollup never counts a check that a
   * crash (or a lost shard) kept out of the checks table, and after a takeover rollups and checks still agree.
   * null while it equals `rollup` (a day as restored, a new day before its first check, or once every check shown
   * is stored): a second copy of each of the 90 restored days doubled the history's memory, and a copy of today's
   * per service was ~1 KB kept for the ~50 ms a check waits for the check store. Copied from `rollup` before a check
   * lands in the day, dropped again when it has caught up.
   */
  durable: DailyRollup | null;
  /** `through` of the stored copy, null when never stored. */
  persistedThrough: number | null;
  /** Stored checks folded into `durable` since the last successful write. */
  pending: number;
  lastFlushAt: number;
  saving: boolean;
}

const DAY_MS = 86_400_000;
/** A copy of the finished days that could not be written is tried again after this long. */
const COPY_RETRY_MS = 60_000;
/**
 * Copies of the finished days started per second at most: at the day's turn, and at the first boot without copies,
 * every service is due at once, and the copies (~5 KB each) must not hold the writes of rollups and states behind
 * them. A copy written yesterday still serves a boot (it reads the days after it), so 10,000 taking 100 s is fine.
 */
export const COPIES_PER_SECOND = 100;

/**
 * A service's rollups by day (YYYY-MM-DD), as the runner keeps them: today, yesterday and any older day with
 * checks still to write as slots; the other days before yesterday packed. A day is in one of the two, never both.
 */
export interface ServiceRollups {
  readonly service: { readonly id: string };
  readonly rollups: Map<string, RollupSlot>;
  readonly finished: FinishedDays;
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
 * Keeps the daily rollups of every service current in memory and writes them behind: every `flushChecks` stored
 * checks, after `flushMs`, and when their day is over. Only checks already in the check store are written. Each write is conditional on the stored copy's `through`, so two
 * writers (an overlapping deploy) never lose each other's checks silently, and on the fencing epoch, so a former
 * owner of the service's shard cannot overwrite its new owner (`fenced` is told instead).
 */
export class RollupWriter {
  /**
   * The days with stored checks not written yet, per service (keyed by its rollup map, so a map a restore replaced
   * takes its set along, as before): a flush visits these instead of every day kept — at 10,000 services with 90
   * days each, scanning every day took 12–17 ms of the event loop each second (bench/rollup-flush.mjs).
   */
  private readonly dirty = new WeakMap<Map<string, RollupSlot>, Set<RollupSlot>>();
  /** Writes in flight, over every flush (see `WRITES_IN_FLIGHT`). */
  private readonly limit = new InFlightLimit();
  /** Flushes still writing: a forced flush (shutdown) settles only after them. */
  private readonly flushing = new Set<Promise<void>>();
  /**
   * Per service, its stored copy of the finished days (`saveFinishedDays`) as this replica knows it: the day it is
   * complete through, null when there is none (dropped here), absent when unknown (another replica may have written
   * one: a late day's write drops it first all the same).
   */
  private readonly copies = new WeakMap<ServiceRollups, string | null>();
  /** Per service, the last attempt at a copy that did not store one: the day it was for, and when. */
  private readonly attempts = new WeakMap<ServiceRollups, { through: string; at: number }>();
  /** Services whose copy is being written: their days before yesterday wait, and vice versa. */
  private readonly copying = new WeakSet<ServiceRollups>();
  /** Copies started in the current second (`COPIES_PER_SECOND`). */
  private copyWindow = { second: 0, started: 0 };
  /** Holds on the copies (see `holdCopies`) not released yet, and the time before which none starts. */
  private copyHolds = 0;
  private copiesFrom = 0;

  constructor(
    private readonly store: StateAndRollupStore,
    private readonly options: RollupWriterOptions,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly fenced: (target: ServiceRollups, epoch: number) => void = () => undefined,
  ) {}

  /**
   * No copy of the finished days starts until `until` settles, nor before the time it gives: a boot holds them
   * while it restores and makes its first checks. A copy is never urgent (a boot reads an older copy and the days
   * after it), and after a day's turn every service's copy is due at once — 100 a second beside the boot's reads
   * and first writes (10,000 services with 91 days stored, store as its own process, the boot just after a day's
   * turn: the first check of every service by 112–134 s with them, 97 s held, 89–93 s with no copies at all).
   */
  holdCopies(until: Promise<number>): void {
    this.copyHolds += 1;
    void until.then(
      (at) => {
        this.copiesFrom = Math.max(this.copiesFrom, at);
        this.copyHolds -= 1;
      },
      () => {
        this.copyHolds -= 1;
      },
    );
  }

  /**
   * Takes the stored rollups of a service as the in-memory starting point; `finishedThrough`: they came with a
   * stored copy of the finished days complete through that day (so it is not written again today).
   */
  restore(target: ServiceRollups, stored: DailyRollup[], now: number, finishedThrough?: string): void {
    if (finishedThrough === undefined) this.copies.delete(target);
    else this.copies.set(target, finishedThrough);
    // Hour slots are shown for the last 24 hours only: older days drop them in memory (never rewritten: their
    // checks are all in; were one rewritten, only its never-shown hour slots would restart from zero) and are
    // packed (FinishedDays). The service id is shared, not one string per day.
    const yesterday = dayOf(now - DAY_MS);
    const finished: UnpackedDay[] = [];
    for (const rollup of stored) {
      rollup.serviceId = target.service.id;
      // A day restored again replaces what was kept of it, unwritten checks included (as the map did before);
      // a packed day is replaced by packing it again.
      this.unslot(target, rollup.day);
      if (rollup.day < yesterday) {
        rollup.hourTotal = NO_HOURS;
        rollup.hourFailures = NO_HOURS;
        rollup.hourLatencySum = NO_HOURS;
        finished.push({ rollup, persistedThrough: rollup.through });
      } else this.keep(target, settledSlot(rollup, rollup.through, now));
    }
    for (const refused of target.finished.add(finished))
      this.keep(target, settledSlot(refused.rollup, refused.persistedThrough, now));
  }

  /** The day as a slot, dropping any packed copy of it (a day is kept once). */
  private keep(target: ServiceRollups, slot: RollupSlot): void {
    if (target.finished.has(slot.rollup.day)) target.finished.take(slot.rollup.day);
    target.rollups.set(slot.rollup.day, slot);
  }

  /** Drops the day's slot, if any, with its unwritten checks. */
  private unslot(target: ServiceRollups, day: string): void {
    const replaced = target.rollups.get(day);
    if (replaced === undefined) return;
    this.dirty.get(target.rollups)?.delete(replaced);
    target.rollups.delete(day);
  }

  /**
   * Shows one check in its day (creating the day, and dropping days older than the history, as needed): a check
   * this replica took (written later, once `stored`), or one another replica took and stores itself.
   */
  fold(target: ServiceRollups, check: StoredCheck, now: number): void {
    const slot = this.slot(target, check, now);
    // Another replica's service is never written from here (it is read again when this replica takes it over): no
    // copy for writing, which would otherwise be kept, stale, for every such service and day.
    if (target.epoch !== null) slot.durable ??= copyRollup(slot.rollup);
    foldCheck(slot.rollup, check);
  }

  /** A check the check store accepted: counted into what is written. */
  stored(target: ServiceRollups, check: StoredCheck, now: number): void {
    const slot = this.slot(target, check, now);
    slot.durable ??= copyRollup(slot.rollup);
    if (foldCheck(slot.durable, check)) {
      slot.pending += 1;
      let dirty = this.dirty.get(target.rollups);
      if (dirty === undefined) {
        dirty = new Set();
        this.dirty.set(target.rollups, dirty);
      }
      dirty.add(slot);
    }
    // Caught up: every check shown is stored, so what is written is what is shown — one copy until the next check.
    if (sameRollup(slot.durable, slot.rollup)) slot.durable = null;
  }

  private slot(target: ServiceRollups, check: StoredCheck, now: number): RollupSlot {
    const day = dayOf(check.at);
    const slot = target.rollups.get(day);
    if (slot) return slot;
    // A late check for a packed day: the day becomes a slot again until it is written and a new day packs it.
    const unpacked = target.finished.take(day);
    if (unpacked) {
      const again = settledSlot(unpacked.rollup, unpacked.persistedThrough, now);
      target.rollups.set(day, again);
      return again;
    }
    const created = settledSlot(emptyRollup(target.service.id, day), null, now);
    target.rollups.set(day, created);
    this.settle(target, created, now);
    return created;
  }

  /**
   * Once a day per service (when a new day's slot is made): days older than the history are dropped, and days
   * before yesterday with nothing left to write are packed, without their hour slots (never shown again).
   */
  private settle(target: ServiceRollups, created: RollupSlot, now: number): void {
    const oldest = lastDays(now, this.options.historyDays)[0] as string;
    const yesterday = dayOf(now - DAY_MS);
    const dirty = this.dirty.get(target.rollups);
    const finished: UnpackedDay[] = [];
    for (const [key, kept] of target.rollups) {
      if (key < oldest) {
        target.rollups.delete(key);
        dirty?.delete(kept);
      } else if (key < yesterday && kept !== created && kept.pending === 0 && !kept.saving && kept.durable === null) {
        target.rollups.delete(key);
        dirty?.delete(kept);
        kept.rollup.hourTotal = NO_HOURS;
        kept.rollup.hourFailures = NO_HOURS;
        kept.rollup.hourLatencySum = NO_HOURS;
        finished.push({ rollup: kept.rollup, persistedThrough: kept.persistedThrough });
      }
    }
    target.finished.dropBefore(oldest);
    for (const refused of target.finished.add(finished))
      this.keep(target, settledSlot(refused.rollup, refused.persistedThrough, now));
  }

  /**
   * Writes every rollup that is due (all with pending checks when `force`); settles when the writes are done (when
   * forced: also those of every earlier flush). A due slot is taken (`saving`) when listed, so a flush started
   * while an earlier one still waits for places in flight does not list it again.
   */
  flush(targets: Iterable<ServiceRollups>, now: number, force = false): Promise<unknown> {
    const today = dayOf(now);
    const yesterday = dayOf(now - DAY_MS);
    const beforeYesterday = dayOf(now - 2 * DAY_MS);
    const due: { target: ServiceRollups; slot: RollupSlot | null; epoch: number }[] = [];
    // After the rollups (what the page shows and what a crash would lose come first).
    const copies: { target: ServiceRollups; slot: null; epoch: number }[] = [];
    for (const target of targets) {
      const epoch = target.epoch;
      if (epoch === null) continue;
      const dirty = this.dirty.get(target.rollups);
      for (const slot of dirty ?? []) {
        if (slot.pending === 0) {
          dirty?.delete(slot);
          continue;
        }
        if (slot.saving) continue;
        // A late check's day before yesterday waits for the copy of the finished days being written (it drops it).
        if (slot.rollup.day < yesterday && this.copying.has(target)) continue;
        if (
          force ||
          slot.pending >= this.options.flushChecks ||
          now - slot.lastFlushAt >= this.options.flushMs ||
          slot.rollup.day !== today
        ) {
          slot.saving = true;
          due.push({ target, slot, epoch });
        }
      }
      if (!force && this.copyDue(target, yesterday, beforeYesterday, now) && this.copyAllowed(now)) {
        this.copying.add(target);
        copies.push({ target, slot: null, epoch });
      }
    }
    // A few writes per turn of the event loop and a few in flight: at midnight (and at a shutdown) every service's
    // day is due at once.
    const writes = inTurns(
      [...due, ...copies],
      ({ target, slot, epoch }) => {
        if (slot === null) return this.copy(target, epoch, now);
        // Still this day's slot (a restore may have replaced it meanwhile, with its own pending checks).
        if (slot.pending > 0 && target.epoch === epoch && target.rollups.get(slot.rollup.day) === slot)
          return this.save(target, slot, epoch, now);
        slot.saving = false;
        return undefined;
      },
      WRITES_PER_TURN,
      this.limit,
    );
    this.flushing.add(writes);
    void writes.finally(() => this.flushing.delete(writes));
    return force ? Promise.all([...this.flushing]) : writes;
  }

  /**
   * Is a copy of the service's finished days to be written? Once a day (through the day before yesterday), and
   * only while no day before yesterday has checks to write (they are written first, then copied).
   */
  private copyDue(target: ServiceRollups, yesterday: string, beforeYesterday: string, now: number): boolean {
    if (this.copyHolds > 0 || now < this.copiesFrom) return false;
    if (this.copies.get(target) === beforeYesterday || this.copying.has(target)) return false;
    const attempt = this.attempts.get(target);
    if (attempt !== undefined && attempt.through === beforeYesterday && now - attempt.at < COPY_RETRY_MS) return false;
    return this.finishedSettled(target, yesterday);
  }

  /** Takes one of this second's COPIES_PER_SECOND places, if one is left. */
  private copyAllowed(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (this.copyWindow.second !== second) this.copyWindow = { second, started: 0 };
    if (this.copyWindow.started >= COPIES_PER_SECOND) return false;
    this.copyWindow.started += 1;
    return true;
  }

  /** No day before yesterday with checks to write or being written. */
  private finishedSettled(target: ServiceRollups, yesterday: string): boolean {
    for (const [day, slot] of target.rollups) if (day < yesterday && (slot.pending > 0 || slot.saving)) return false;
    return true;
  }

  /**
   * Writes the copy of the service's finished days: every day of the history before yesterday exactly as stored
   * (packed days, and older slots with nothing left to write). Gives up until COPY_RETRY_MS later when a day's
   * stored rollup is behind what is kept, or storage fails; a boot reads such a service day by day meanwhile.
   */
  private async copy(target: ServiceRollups, epoch: number, now: number): Promise<void> {
    const yesterday = dayOf(now - DAY_MS);
    const through = dayOf(now - 2 * DAY_MS);
    const oldest = lastDays(now, this.options.historyDays)[0] as string;
    try {
      if (target.epoch !== epoch || !this.finishedSettled(target, yesterday)) return;
      this.attempts.set(target, { through, at: now });
      const days = target.finished.storedRollups();
      if (days === null) return;
      for (const [day, slot] of target.rollups) {
        if (day >= yesterday) continue;
        const stored = slot.durable ?? slot.rollup;
        if (slot.persistedThrough === null) continue;
        if (stored.through !== slot.persistedThrough) return;
        days.push({ ...stored, hourTotal: NO_HOURS, hourFailures: NO_HOURS, hourLatencySum: NO_HOURS });
      }
      const shown = days.filter((day) => day.day >= oldest).sort((a, b) => a.day.localeCompare(b.day));
      if (!(await this.store.saveFinishedDays(target.service.id, shown, through, epoch))) {
        this.fenced(target, epoch);
        return;
      }
      this.copies.set(target, through);
      this.attempts.delete(target);
    } catch (error) {
      this.logger.warn(`saving the finished days of ${target.service.id} failed: ${String(error)}`);
    } finally {
      this.copying.delete(target);
    }
  }

  /** Writes one slot; the caller has set `saving` (cleared here when the write settles). */
  private async save(target: ServiceRollups, slot: RollupSlot, epoch: number, now: number): Promise<void> {
    const copy: DailyRollup = structuredClone(slot.durable ?? slot.rollup);
    const pending = slot.pending;
    try {
      // A day before yesterday written again (a late check) may be in a stored copy of the finished days: that
      // copy is dropped first, so a boot never reads the old day (it reads the service day by day until the next
      // copy, written once this day is).
      const known = this.copies.get(target);
      if (copy.day < dayOf(now - DAY_MS) && known !== null && (known === undefined || copy.day <= known)) {
        if (!(await this.store.dropFinishedDays(target.service.id, epoch))) {
          this.fenced(target, epoch);
          return;
        }
        this.copies.set(target, null);
      }
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

/** A slot with nothing to write: its rollup is what is stored (through `persistedThrough`, null: never stored). */
function settledSlot(rollup: DailyRollup, persistedThrough: number | null, now: number): RollupSlot {
  return { rollup, durable: null, persistedThrough, pending: 0, lastFlushAt: now, saving: false };
}
