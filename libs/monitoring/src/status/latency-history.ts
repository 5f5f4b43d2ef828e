import type { LatencyHistory, LatencyPoint, LatencyRange, LatencySummary } from '@app/contracts';
import {
  addBuckets,
  dayOf,
  histogramPercentile,
  LATENCY_BUCKETS_MS,
  lastDays,
  type DailyRollup,
} from '../history/rollup.js';
import { rollupsByDay } from '../history/shown-days.js';
import type { ServiceRuntime } from '../monitor.service.js';

const HOUR_MS = 3_600_000;

/** Totals being added up for a point or a range. */
interface Tally {
  checks: number;
  failures: number;
  latencySum: number;
  ok: number;
  buckets: number[];
  /** Whether every day that had successful checks also had a histogram (else no percentiles: they would mislead). */
  complete: boolean;
}

const emptyTally = (): Tally => ({
  checks: 0,
  failures: 0,
  latencySum: 0,
  ok: 0,
  buckets: new Array<number>(LATENCY_BUCKETS_MS.length).fill(0),
  complete: true,
});

function summary(tally: Tally, percentiles: boolean): LatencySummary {
  const withPercentiles = percentiles && tally.complete && tally.ok > 0;
  return {
    checks: tally.checks,
    failures: tally.failures,
    avgMs: tally.ok === 0 ? null : Math.round(tally.latencySum / tally.ok),
    p50Ms: withPercentiles ? histogramPercentile(tally.buckets, 0.5) : null,
    p95Ms: withPercentiles ? histogramPercentile(tally.buckets, 0.95) : null,
  };
}

/** Adds a whole day (weighted, for the part of a day a rolling range covers). */
function addDay(tally: Tally, rollup: DailyRollup, weight = 1): void {
  tally.checks += rollup.total * weight;
  tally.failures += rollup.failures * weight;
  tally.latencySum += rollup.latencySum * weight;
  tally.ok += rollup.latencyCount * weight;
  if (rollup.latencyCount > 0 && rollup.latencyBuckets.length === 0) tally.complete = false;
  addBuckets(tally.buckets, rollup.latencyBuckets, weight);
}

/**
 * Response times of one service from its rollups (memory only): 24 hourly points from the hour slots, 90 daily
 * points with percentiles from the day histograms, and each range as a whole. The rolling 24 hours' percentiles
 * come from today's histogram plus yesterday's scaled to the share of yesterday's checks inside the window.
 */
export function latencyHistory(runtime: Pick<ServiceRuntime, 'rollups' | 'finished'>, now: number): LatencyHistory {
  const byDay = rollupsByDay(runtime);

  const currentHour = Math.floor(now / HOUR_MS);
  const hours: LatencyPoint[] = [];
  const last24 = emptyTally();
  const okInWindow = new Map<string, number>();
  for (let hour = currentHour - 23; hour <= currentHour; hour += 1) {
    const day = dayOf(hour * HOUR_MS);
    const rollup = byDay.get(day);
    const slot = ((hour % 24) + 24) % 24;
    const checks = rollup?.hourTotal[slot] ?? 0;
    const failures = rollup?.hourFailures[slot] ?? 0;
    const sum = rollup?.hourLatencySum[slot] ?? 0;
    // Maintenance checks are not in the hour slots, so every counted check that did not fail had a latency.
    const ok = Math.max(0, checks - failures);
    hours.push({
      start: new Date(hour * HOUR_MS).toISOString(),
      checks,
      failures,
      avgMs: ok === 0 || rollup?.hourLatencySum.length !== 24 ? null : Math.round(sum / ok),
      p50Ms: null,
      p95Ms: null,
    });
    last24.checks += checks;
    last24.failures += failures;
    last24.latencySum += sum;
    last24.ok += ok;
    okInWindow.set(day, (okInWindow.get(day) ?? 0) + ok);
  }
  for (const [day, ok] of okInWindow) {
    const rollup = byDay.get(day);
    if (!rollup || rollup.latencyCount === 0 || ok === 0) continue;
    if (rollup.latencyBuckets.length === 0) last24.complete = false;
    addBuckets(last24.buckets, rollup.latencyBuckets, Math.min(1, ok / rollup.latencyCount));
  }

  const dayNames = lastDays(now, 90);
  const days: LatencyPoint[] = dayNames.map((day) => {
    const tally = emptyTally();
    const rollup = byDay.get(day);
    if (rollup) addDay(tally, rollup);
    return { start: `${day}T00:00:00.000Z`, ...summary(tally, true) };
  });
  const range = (count: number): LatencySummary => {
    const tally = emptyTally();
    for (const day of dayNames.slice(-count)) {
      const rollup = byDay.get(day);
      if (rollup) addDay(tally, rollup);
    }
    return summary(tally, true);
  };
  const ranges: Record<LatencyRange, LatencySummary> = {
    '24h': rounded(summary(last24, true)),
    '7d': range(7),
    '30d': range(30),
    '90d': range(90),
  };
  return { hours, days, ranges };
}

/** The 24-hour counts stay whole numbers (only the scaled histogram is fractional). */
function rounded(value: LatencySummary): LatencySummary {
  return { ...value, checks: Math.round(value.checks), failures: Math.round(value.failures) };
}
