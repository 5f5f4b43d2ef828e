import type { DailyBar } from '@app/contracts';
import { LATENCY_BUCKETS_MS, NO_HOURS, dayNumberOf, dayOf, startOfDay, toBar, type DailyRollup } from './rollup.js';

const DAY_MS = 86_400_000;
const BUCKETS = LATENCY_BUCKETS_MS.length;
/**
 * Whole numbers per day: the day number, total, failures, maintenance, latencyCount, the histogram's SHAPE, the
 * OFFSET of its kept buckets in the service's bucket pool, and the day's THROUGH and the STORED copy's through as ms
 * after the day's start (a check's start time is a whole ms within its day), each of these two as two 16-bit
 * halves (high, low; NEVER_STORED in the high half: no stored copy).
 */
const COUNTS = 11;
const SHAPE = 5;
const OFFSET = 6;
const THROUGH = 7;
const STORED = 9;
/** The largest 16-bit number; also the sentinel of SHAPE and of STORED's high half, which never reach it. */
const NARROW_MAX = 0xffff;
const NEVER_STORED = NARROW_MAX;
const HALF = 0x10000;
/** The day was recorded before the histogram existed (its latencyBuckets are []): its SHAPE. */
const NO_HISTOGRAM = NARROW_MAX;
/**
 * A day's histogram keeps only its buckets from the first non-zero one to the last (a service's latencies fall in a
 * few neighbouring buckets): SHAPE = first << 8 | how many (0: every bucket zero), those buckets in the pool.
 */
const SHAPE_SHIFT = 8;
const SHAPE_LENGTH = 0xff;
/**
 * A service's whole numbers and its pool's buckets are 16 bits each while every one fits (a service checked every
 * 1.32 s or less often counts at most 65,455 checks a day; the day number fits until 2149); one that does not widens
 * the service's arrays to 32 bits.
 */
type Whole = Uint16Array | Int32Array;
/** One service's packed days: what FinishedDays holds, and what it builds when they change. */
interface Packed {
  counts: Whole;
  /** The kept buckets of every day, day after day (each day's start at its OFFSET). */
  buckets: Whole;
  /** Each day's latencySum (not a whole number). */
  sums: Float64Array;
}
const SUMS = 1;
const INT32_MAX = 2 ** 31 - 1;

const count = (value: number): boolean => Number.isInteger(value) && value >= 0 && value <= INT32_MAX;

/** A finished day as it was packed: the rollup and what was known of its stored copy. */
export interface UnpackedDay {
  rollup: DailyRollup;
  persistedThrough: number | null;
}

/**
 * One service's days before yesterday, packed: their counters in three typed arrays, ordered by day, instead of a
 * rollup object, its latency histogram, its day string and its writer slot per day (~500 B a day: 44.5 KB per
 * service over 90 days, bench/memory-history.mjs). These days show no hour slots, and only a late check changes
 * one: the RollupWriter unpacks a day it has to fold a check into and packs it again once it is written.
 *
 * Readers ask for what they show (a bar, the totals of a window) or for a rollup made on demand.
 */
export class FinishedDays {
  private data: Packed = packed(0, 0, false);
  private length = 0;
  /** Bumped by every change of which days are here, so a reader's cache can tell a repacked service apart. */
  version = 0;

  constructor(readonly serviceId: string) {}

  get size(): number {
    return this.length;
  }

  /**
   * Packs these days (replacing any packed already), keeping only those the arrays hold exactly: whole counters
   * below 2^31, a histogram of the known size or none, a day as dayOf writes it. Returns the ones not packed,
   * which stay rollup objects.
   */
  add(days: readonly UnpackedDay[]): UnpackedDay[] {
    const refused: UnpackedDay[] = [];
    const taken = new Map<number, UnpackedDay>();
    for (const entry of days) {
      const number = packable(entry);
      if (number === null) refused.push(entry);
      else taken.set(number, entry);
    }
    if (taken.size === 0) return refused;
    const kept: number[] = [];
    for (let index = 0; index < this.length; index += 1) if (!taken.has(this.dayAt(index))) kept.push(index);
    const incoming = [...taken.keys()].sort((a, b) => a - b);
    const total = kept.length + incoming.length;
    let pool = 0;
    for (const index of kept) pool += keptLength(this.data, index);
    for (const entry of taken.values()) pool += rangeOf(entry.rollup.latencyBuckets).length;
    const wide =
      this.data.counts instanceof Int32Array ||
      pool > NARROW_MAX ||
      [...taken.entries()].some(([day, { rollup }]) => !narrow(day, rollup));
    const into = packed(total, pool, wide);
    let at = 0;
    let poolAt = 0;
    let next = 0;
    const copyKept = (index: number) => (poolAt = copyDay(this.data, index, into, at++, poolAt));
    for (const day of incoming) {
      while (next < kept.length && this.dayAt(kept[next] as number) < day) copyKept(kept[next++] as number);
      poolAt = write(into, at, poolAt, day, taken.get(day) as UnpackedDay);
      at += 1;
    }
    while (next < kept.length) copyKept(kept[next++] as number);
    this.replaceWith(into, total);
    this.version += 1;
    return refused;
  }

  /** Bytes of the typed arrays holding these days. */
  get byteLength(): number {
    return this.data.counts.byteLength + this.data.buckets.byteLength + this.data.sums.byteLength;
  }

  has(day: string): boolean {
    return this.indexOf(day) !== -1;
  }

  /** The day as a new rollup object (no hour slots), undefined when it is not packed here. */
  rollup(day: string): DailyRollup | undefined {
    const index = this.indexOf(day);
    return index === -1 ? undefined : this.rollupAt(index);
  }

  /** Every packed day as a new rollup object, oldest first. */
  rollups(): DailyRollup[] {
    return Array.from({ length: this.length }, (_, index) => this.rollupAt(index));
  }

  /**
   * The packed days that have a stored copy, as new rollup objects (oldest first): what the store holds of them.
   * Null when some day's stored copy is behind what is kept here (it could not be copied exactly).
   */
  storedRollups(): DailyRollup[] | null {
    const out: DailyRollup[] = [];
    for (let index = 0; index < this.length; index += 1) {
      const persisted = msAt(this.data, index, STORED);
      if (persisted === null) continue;
      if (persisted !== msAt(this.data, index, THROUGH)) return null;
      out.push(this.rollupAt(index));
    }
    return out;
  }

  /** Removes the day and returns it unpacked (undefined when it is not packed here). */
  take(day: string): UnpackedDay | undefined {
    const index = this.indexOf(day);
    if (index === -1) return undefined;
    const persisted = msAt(this.data, index, STORED);
    const start = this.dayAt(index) * DAY_MS;
    const unpacked = {
      rollup: this.rollupAt(index),
      persistedThrough: persisted === null ? null : start + persisted,
    };
    this.removeWhere((at) => at === index);
    return unpacked;
  }

  /** Drops the days before `day` (YYYY-MM-DD). */
  dropBefore(day: string): void {
    const limit = dayNumberOf(day);
    if (limit === null || this.length === 0 || this.dayAt(0) >= limit) return;
    this.removeWhere((index) => this.dayAt(index) < limit);
  }

  /** The day's bar as toBar makes it from the rollup; undefined when the day is not packed here. */
  bar(day: string): DailyBar | undefined {
    const index = this.indexOf(day);
    if (index === -1) return undefined;
    const base = index * COUNTS;
    const total = this.data.counts[base + 1] as number;
    if (total === 0) return toBar(day, undefined);
    const failures = this.data.counts[base + 2] as number;
    const latencyCount = this.data.counts[base + 4] as number;
    const latencySum = this.data.sums[index * SUMS] as number;
    return toBar(day, { total, failures, latencyCount, latencySum });
  }

  /** Checks and failures over the `days` calendar days ending with the day of `now` (today included). */
  sumDays(now: number, days: number): { total: number; failures: number } {
    const last = Math.floor(startOfDay(now) / DAY_MS);
    const first = last - days + 1;
    let total = 0;
    let failures = 0;
    for (let index = 0; index < this.length; index += 1) {
      const day = this.dayAt(index);
      if (day < first || day > last) continue;
      total += this.data.counts[index * COUNTS + 1] as number;
      failures += this.data.counts[index * COUNTS + 2] as number;
    }
    return { total, failures };
  }

  private dayAt(index: number): number {
    return this.data.counts[index * COUNTS] as number;
  }

  private indexOf(day: string): number {
    const number = dayNumberOf(day);
    if (number === null) return -1;
    let low = 0;
    let high = this.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const found = this.dayAt(middle);
      if (found === number) return middle;
      if (found < number) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  private rollupAt(index: number): DailyRollup {
    const base = index * COUNTS;
    const shape = this.data.counts[base + SHAPE] as number;
    let histogram: number[] = [];
    if (shape !== NO_HISTOGRAM) {
      histogram = new Array<number>(BUCKETS).fill(0);
      const offset = this.data.counts[base + OFFSET] as number;
      const first = shape >> SHAPE_SHIFT;
      for (let bucket = 0; bucket < (shape & SHAPE_LENGTH); bucket += 1)
        histogram[first + bucket] = this.data.buckets[offset + bucket] as number;
    }
    const start = (this.data.counts[base] as number) * DAY_MS;
    return {
      serviceId: this.serviceId,
      day: dayOf(start),
      total: this.data.counts[base + 1] as number,
      failures: this.data.counts[base + 2] as number,
      maintenance: this.data.counts[base + 3] as number,
      latencySum: this.data.sums[index * SUMS] as number,
      latencyCount: this.data.counts[base + 4] as number,
      hourTotal: NO_HOURS,
      hourFailures: NO_HOURS,
      hourLatencySum: NO_HOURS,
      latencyBuckets: histogram,
      through: start + (msAt(this.data, index, THROUGH) as number),
    };
  }

  private removeWhere(drop: (index: number) => boolean): void {
    const kept: number[] = [];
    for (let index = 0; index < this.length; index += 1) if (!drop(index)) kept.push(index);
    let pool = 0;
    for (const index of kept) pool += keptLength(this.data, index);
    const into = packed(kept.length, pool, this.data.counts instanceof Int32Array);
    let poolAt = 0;
    for (const [at, index] of kept.entries()) poolAt = copyDay(this.data, index, into, at, poolAt);
    this.replaceWith(into, kept.length);
  }

  private replaceWith(into: Packed, length: number): void {
    this.data = into;
    this.length = length;
    this.version += 1;
  }
}

/** The day's number when the arrays can hold it exactly, else null. */
function packable({ rollup, persistedThrough }: UnpackedDay): number | null {
  const number = dayNumberOf(rollup.day);
  if (number === null) return null;
  if (![rollup.total, rollup.failures, rollup.maintenance, rollup.latencyCount].every(count)) return null;
  if (rollup.latencyBuckets.length !== 0 && rollup.latencyBuckets.length !== BUCKETS) return null;
  if (!rollup.latencyBuckets.every(count)) return null;
  if (!Number.isFinite(rollup.latencySum)) return null;
  const start = number * DAY_MS;
  if (!count(rollup.through - start)) return null;
  if (persistedThrough !== null && !count(persistedThrough - start)) return null;
  return number;
}

/** The three arrays for `days` days whose histograms keep `pool` buckets in all (32-bit whole numbers when `wide`). */
function packed(days: number, pool: number, wide: boolean): Packed {
  return {
    counts: wide ? new Int32Array(days * COUNTS) : new Uint16Array(days * COUNTS),
    buckets: wide ? new Int32Array(pool) : new Uint16Array(pool),
    sums: new Float64Array(days * SUMS),
  };
}

/** Whether the day's whole numbers (its watermarks aside: they are kept in halves) all fit in 16 bits. */
function narrow(day: number, rollup: DailyRollup): boolean {
  const fits = (value: number) => value <= NARROW_MAX;
  return (
    fits(day) &&
    [rollup.total, rollup.failures, rollup.maintenance, rollup.latencyCount].every(fits) &&
    rollup.latencyBuckets.every(fits)
  );
}

/** A watermark of day `index` (THROUGH or STORED) as ms after the day's start; null: never stored. */
function msAt(data: Packed, index: number, field: typeof THROUGH | typeof STORED): number | null {
  const high = data.counts[index * COUNTS + field] as number;
  return high === NEVER_STORED ? null : high * HALF + (data.counts[index * COUNTS + field + 1] as number);
}

/** Writes a watermark (ms after the day's start, below 2^31; null: never stored) as its two halves. */
function writeMs(counts: Whole, base: number, field: typeof THROUGH | typeof STORED, ms: number | null): void {
  counts[base + field] = ms === null ? NEVER_STORED : Math.floor(ms / HALF);
  counts[base + field + 1] = ms === null ? 0 : ms % HALF;
}

/** The buckets a histogram keeps: from its first non-zero one to its last (none when all are zero). */
function rangeOf(buckets: readonly number[]): { first: number; length: number } {
  let first = 0;
  while (first < buckets.length && buckets[first] === 0) first += 1;
  if (first === buckets.length) return { first: 0, length: 0 };
  let last = buckets.length - 1;
  while (buckets[last] === 0) last -= 1;
  return { first, length: last - first + 1 };
}

/** How many buckets day `index` keeps in the pool. */
function keptLength(data: Packed, index: number): number {
  const shape = data.counts[index * COUNTS + SHAPE] as number;
  return shape === NO_HISTOGRAM ? 0 : shape & SHAPE_LENGTH;
}

/**
 * Day `index` of `from` into place `at` of `to` (whose buckets are at least as wide), its buckets at `poolAt` of
 * `to`'s pool; returns where the next day's buckets go.
 */
function copyDay(from: Packed, index: number, to: Packed, at: number, poolAt: number): number {
  to.counts.set(from.counts.subarray(index * COUNTS, (index + 1) * COUNTS), at * COUNTS);
  to.sums.set(from.sums.subarray(index * SUMS, (index + 1) * SUMS), at * SUMS);
  const offset = from.counts[index * COUNTS + OFFSET] as number;
  const length = keptLength(from, index);
  to.buckets.set(from.buckets.subarray(offset, offset + length), poolAt);
  to.counts[at * COUNTS + OFFSET] = poolAt;
  return poolAt + length;
}

/** Packs the day into place `at`, its buckets at `poolAt` of the pool; returns where the next day's buckets go. */
function write({ counts, buckets, sums }: Packed, at: number, poolAt: number, day: number, entry: UnpackedDay): number {
  const { rollup, persistedThrough } = entry;
  const base = at * COUNTS;
  counts[base] = day;
  counts[base + 1] = rollup.total;
  counts[base + 2] = rollup.failures;
  counts[base + 3] = rollup.maintenance;
  counts[base + 4] = rollup.latencyCount;
  counts[base + OFFSET] = poolAt;
  let length = 0;
  if (rollup.latencyBuckets.length === 0) counts[base + SHAPE] = NO_HISTOGRAM;
  else {
    const range = rangeOf(rollup.latencyBuckets);
    length = range.length;
    counts[base + SHAPE] = (range.first << SHAPE_SHIFT) | length;
    for (let bucket = 0; bucket < length; bucket += 1)
      buckets[poolAt + bucket] = rollup.latencyBuckets[range.first + bucket] as number;
  }
  writeMs(counts, base, THROUGH, rollup.through - day * DAY_MS);
  writeMs(counts, base, STORED, persistedThrough === null ? null : persistedThrough - day * DAY_MS);
  sums[at * SUMS] = rollup.latencySum;
  return poolAt + length;
}
