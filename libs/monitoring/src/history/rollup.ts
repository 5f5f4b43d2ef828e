import type { DailyBar } from '@app/contracts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const dayNames = new Map<number, string>();

/**
 * UTC calendar day of an epoch-ms instant, as YYYY-MM-DD. Memoised per day number: the status snapshot asks for
 * ~180 day keys per service per rebuild, and formatting dates dominated its CPU profile at 10,000 services.
 */
export function dayOf(at: number): string {
  const day = Math.floor(at / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    if (dayNames.size > 4096) dayNames.clear();
    name = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayNames.set(day, name);
  }
  return name;
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
  through: number;
}

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
    through: 0,
  };
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
  rollup.hourTotal[hour] = (rollup.hourTotal[hour] ?? 0) + 1;
  if (check.ok) {
    rollup.latencySum += check.latencyMs;
    rollup.latencyCount += 1;
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

export function toBar(day: string, rollup: DailyRollup | undefined): DailyBar {
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
