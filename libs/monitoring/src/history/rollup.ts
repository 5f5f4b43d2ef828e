import type { DailyBar } from '@app/contracts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const dayNames = new Map<number, string>();
const dayNumbers = new Map<string, number>();

/**
 * UTC calendar day of an epoch-ms instant, as YYYY-MM-DD. Memoised per day number: the status snapshot asks for
 * ~180 day keys per service per rebuild, and formatting dates dominated its CPU profile at 10,000 services.
 */
export function dayOf(at: number): string {
  const day = Math.floor(at / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    if (dayNames.size > 4096) {
      dayNames.clear();
      dayNumbers.clear();
    }
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(day, name);
    dayNumbers.set(name, day);
  }
  return name;
}

/**
 * The day number (days since the epoch) of a YYYY-MM-DD day as dayOf writes it; null for anything else (a stored
 * item's day in another form is never taken for a neighbouring day). Memoised with dayOf.
 */
export function dayNumberOf(day: string): number | null {
  const known = dayNumbers.get(day);
  if (known !== undefined) return known;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const at = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(at)) return null;
  const number = Math.floor(at / DAY_MS);
  return dayOf(number * DAY_MS) === day ? number : null;
}

export function startOfDay(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/** The `count` UTC days ending with the day of `now`, oldest first. */
export function lastDays(now: number, count: number): string[] {
  const today = startOfDay(now);
  return Array.from({ length: count }, (_, index) => dayOf(today - (count - 1 - index) * DAY_MS));
}

/**
 * One service's counters for one UTC day, with per-hour slots so a rolling 24 h uptime needs no raw checks.
 * `through` is the start time of the newest check folded in: on restart, checks after it are replayed, and the
 * conditional write on it keeps two writers from double counting.
 */
export interface DailyRollup {
  serviceId: string;
  day: string;
  total: number;
  failures: number;
  /** Checks taken during maintenance: stored but excluded from uptime. */
  maintenance: number;
  latencySum: number;
  latencyCount: number;
  hourTotal: number[];
  hourFailures: number[];
  /** Latency sum of the successful checks per hour (their count is hourTotal − hourFailures): hourly means. */
  hourLatencySum: number[];
  /**
   * Successful checks per latency bucket (LATENCY_BUCKETS_MS): the day's percentiles, and any range's by adding
   * days up. Empty for days recorded before it existed.
   */
  latencyBuckets: number[];
  through: number;
}

/**
 * Upper bounds (ms) of the latency histogram's buckets; the last is open-ended. Roughly 1.5× apart, so an estimated
 * percentile is within about a quarter of the true one; 20 counters per day per service.
 */
export const LATENCY_BUCKETS_MS = [
  10,
  20,
  30,
  40,
  50,
  75,
  100,
  150,
  200,
  300,
  400,
  500,
  750,
  1000,
  1500,
  2000,
  3000,
  5000,
  10_000,
  Infinity,
] as const;

export function latencyBucket(latencyMs: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs < bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length - 1 : index;
}

/**
 * The latency below which `fraction` of the counted checks fell (linear within the bucket), null without any.
 * The open-ended last bucket reports its lower bound: "at least 10 s".
 */
export function histogramPercentile(buckets: readonly number[], fraction: number): number | null {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return null;
  const rank = fraction * total;
  let seen = 0;
  for (let index = 0; index < buckets.length; index += 1) {
    const count = buckets[index] ?? 0;
    if (count <= 0) continue;
    if (seen + count >= rank) {
      const low = index === 0 ? 0 : (LATENCY_BUCKETS_MS[index - 1] ?? 0);
      const high = LATENCY_BUCKETS_MS[index] ?? Infinity;
      if (!Number.isFinite(high)) return low;
      return Math.round(low + ((rank - seen) / count) * (high - low));
    }
    seen += count;
  }
  return null;
}

/** Adds `source` (scaled by `weight`) into `target`, bucket by bucket. */
export function addBuckets(target: number[], source: readonly number[], weight = 1): void {
  for (let index = 0; index < source.length; index += 1)
    target[index] = (target[index] ?? 0) + (source[index] ?? 0) * weight;
}

/**
 * The hour slots of a day older than yesterday, shared by all of them (three empty arrays a day were ~8 KB per
 * service over 90 days). Frozen: foldCheck replaces, never fills, slots that are not 24 long.
 */
export const NO_HOURS: number[] = Object.freeze([]) as unknown as number[];

export function emptyRollup(serviceId: string, day: string): DailyRollup {
  return {
    serviceId,
    day,
    total: 0,
    failures: 0,
    maintenance: 0,
    latencySum: 0,
    latencyCount: 0,
    hourTotal: new Array<number>(24).fill(0),
    hourFailures: new Array<number>(24).fill(0),
    hourLatencySum: new Array<number>(24).fill(0),
    latencyBuckets: new Array<number>(LATENCY_BUCKETS_MS.length).fill(0),
    through: 0,
  };
}

/** An independent copy (its arrays too): cheaper than structuredClone for a copy made per check. */
export function copyRollup(rollup: DailyRollup): DailyRollup {
  return {
    ...rollup,
    hourTotal: rollup.hourTotal.slice(),
    hourFailures: rollup.hourFailures.slice(),
    hourLatencySum: rollup.hourLatencySum.slice(),
    latencyBuckets: rollup.latencyBuckets.slice(),
  };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/** Every counter equal (and the same day and `through`): writing one is writing the other. */
export function sameRollup(a: DailyRollup, b: DailyRollup): boolean {
  return (
    a.serviceId === b.serviceId &&
    a.day === b.day &&
    a.through === b.through &&
    a.total === b.total &&
    a.failures === b.failures &&
    a.maintenance === b.maintenance &&
    a.latencySum === b.latencySum &&
    a.latencyCount === b.latencyCount &&
    sameNumbers(a.hourTotal, b.hourTotal) &&
    sameNumbers(a.hourFailures, b.hourFailures) &&
    sameNumbers(a.hourLatencySum, b.hourLatencySum) &&
    sameNumbers(a.latencyBuckets, b.latencyBuckets)
  );
}

export interface FoldableCheck {
  at: number;
  ok: boolean;
  latencyMs: number;
  maintenance: boolean;
}

/** Adds one check to a rollup (mutates); returns false when the check is already included. */
export function foldCheck(rollup: DailyRollup, check: FoldableCheck): boolean {
  if (check.at <= rollup.through) return false;
  rollup.through = check.at;
  if (check.maintenance) {
    rollup.maintenance += 1;
    return true;
  }
  const hour = Math.floor((check.at % DAY_MS) / HOUR_MS);
  rollup.total += 1;
  // A day restored without its hour slots (RollupWriter.restore) gets them back from zero, never with holes.
  if (rollup.hourTotal.length !== 24) rollup.hourTotal = new Array<number>(24).fill(0);
  if (rollup.hourFailures.length !== 24) rollup.hourFailures = new Array<number>(24).fill(0);
  rollup.hourTotal[hour] = (rollup.hourTotal[hour] ?? 0) + 1;
  if (check.ok) {
    rollup.latencySum += check.latencyMs;
    rollup.latencyCount += 1;
    if (rollup.hourLatencySum.length !== 24) rollup.hourLatencySum = new Array<number>(24).fill(0);
    rollup.hourLatencySum[hour] = (rollup.hourLatencySum[hour] ?? 0) + check.latencyMs;
    // A day stored before the histogram existed gets one from here on (its percentiles cover the rest of the day).
    if (rollup.latencyBuckets.length === 0)
      rollup.latencyBuckets = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
    const bucket = latencyBucket(check.latencyMs);
    rollup.latencyBuckets[bucket] = (rollup.latencyBuckets[bucket] ?? 0) + 1;
  } else {
    rollup.failures += 1;
    rollup.hourFailures[hour] = (rollup.hourFailures[hour] ?? 0) + 1;
  }
  return true;
}

export function percent(ok: number, total: number): number | null {
  if (total === 0) return null;
  return Math.floor((ok * 100_000) / total) / 1000;
}

export function toBar(
  day: string,
  rollup: Pick<DailyRollup, 'total' | 'failures' | 'latencySum' | 'latencyCount'> | undefined,
): DailyBar {
  if (!rollup || rollup.total === 0) return { date: day, uptime: null, checks: 0, failures: 0, avgLatencyMs: null };
  return {
    date: day,
    uptime: percent(rollup.total - rollup.failures, rollup.total),
    checks: rollup.total,
    failures: rollup.failures,
    avgLatencyMs: rollup.latencyCount === 0 ? null : Math.round(rollup.latencySum / rollup.latencyCount),
  };
}

/** Totals over the last `days` calendar days (today included). */
export function sumDays(
  byDay: Map<string, DailyRollup>,
  now: number,
  days: number,
): { total: number; failures: number } {
  let total = 0;
  let failures = 0;
  const today = startOfDay(now);
  for (let index = 0; index < days; index += 1) {
    const rollup = byDay.get(dayOf(today - index * DAY_MS));
    if (!rollup) continue;
    total += rollup.total;
    failures += rollup.failures;
  }
  return { total, failures };
}

/** Totals over the rolling last 24 hours, from the hour slots of today and yesterday. */
export function sumLast24h(byDay: Map<string, DailyRollup>, now: number): { total: number; failures: number } {
  let total = 0;
  let failures = 0;
  const currentHour = Math.floor(now / HOUR_MS);
  for (let hour = currentHour - 23; hour <= currentHour; hour += 1) {
    const rollup = byDay.get(dayOf(hour * HOUR_MS));
    if (!rollup) continue;
    const slot = ((hour % 24) + 24) % 24;
    total += rollup.hourTotal[slot] ?? 0;
    failures += rollup.hourFailures[slot] ?? 0;
  }
  return { total, failures };
}
