import type { DailyBar } from '@app/contracts';
import type { FinishedDays } from './finished-days.js';
import { sumDays, sumLast24h, toBar, type DailyRollup } from './rollup.js';
import type { RollupSlot } from './rollup-writer.js';

/** A service's days as the RollupWriter keeps them: slots (today, yesterday, unwritten) and the packed rest. */
export interface ShownDays {
  readonly rollups: ReadonlyMap<string, RollupSlot>;
  readonly finished: FinishedDays;
}

/** The day's bar, from its slot or its packed counters. */
export function dayBar(days: ShownDays, day: string): DailyBar {
  const slot = days.rollups.get(day);
  if (slot) return toBar(day, slot.rollup);
  return days.finished.bar(day) ?? toBar(day, undefined);
}

/** Every kept day as a rollup (packed days made on demand): for what is built at most once per request. */
export function rollupsByDay(days: ShownDays): Map<string, DailyRollup> {
  const byDay = new Map<string, DailyRollup>();
  for (const rollup of days.finished.rollups()) byDay.set(rollup.day, rollup);
  for (const [day, slot] of days.rollups) byDay.set(day, slot.rollup);
  return byDay;
}

/** Totals for the uptime windows: the rolling 24 hours (hour slots: never packed) and whole calendar days. */
export function shownTotals(
  days: ShownDays,
  now: number,
): {
  last24h: () => { total: number; failures: number };
  days: (count: number) => { total: number; failures: number };
} {
  const live = new Map<string, DailyRollup>();
  for (const [day, slot] of days.rollups) live.set(day, slot.rollup);
  return {
    last24h: () => sumLast24h(live, now),
    days: (count) => {
      const fromSlots = sumDays(live, now, count);
      const packed = days.finished.sumDays(now, count);
      return { total: fromSlots.total + packed.total, failures: fromSlots.failures + packed.failures };
    },
  };
}
