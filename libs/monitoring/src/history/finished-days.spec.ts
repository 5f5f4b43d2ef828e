import { FinishedDays, type UnpackedDay } from './finished-days.js';
import { LATENCY_BUCKETS_MS, dayOf, dayNumberOf, emptyRollup, sumDays, toBar, type DailyRollup } from './rollup.js';
import { dayBar, rollupsByDay, shownTotals } from './shown-days.js';
import type { RollupSlot } from './rollup-writer.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 3, 17);

/** A deterministic pseudo-random sequence (no flaky seeds). */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

/** A finished day with every counter drawn at random (some without a histogram, as days stored before it). */
function randomDay(next: () => number, back: number, maxTotal = 86_400): DailyRollup {
  const day = dayOf(NOW - back * DAY);
  const rollup = emptyRollup('api', day);
  rollup.total = Math.floor(next() * maxTotal);
  rollup.failures = Math.floor(next() * rollup.total);
  rollup.maintenance = Math.floor(next() * 50);
  rollup.latencyCount = rollup.total - rollup.failures;
  rollup.latencySum = rollup.latencyCount * next() * 900 + 0.25; // fractional sums are kept exactly
  rollup.latencyBuckets = next() < 0.2 ? [] : randomHistogram(next, rollup.latencyCount);
  rollup.through = Date.parse(`${day}T23:59:00Z`) + Math.floor(next() * 59_000);
  rollup.hourTotal = [];
  rollup.hourFailures = [];
  rollup.hourLatencySum = [];
  return rollup;
}

/**
 * Buckets drawn at random: over the whole histogram in some days, else only a run of neighbouring buckets (as a
 * service's latencies fall), zeros inside the run too, or none at all.
 */
function randomHistogram(next: () => number, latencyCount: number): number[] {
  const buckets = LATENCY_BUCKETS_MS.length;
  const whole = next() < 0.3;
  const first = whole ? 0 : Math.floor(next() * buckets);
  const last = whole ? buckets - 1 : first - 1 + Math.floor(next() * (buckets + 1 - first));
  return LATENCY_BUCKETS_MS.map((_, index) =>
    index < first || index > last || next() < 0.1 ? 0 : Math.floor(next() * (latencyCount + 1)),
  );
}

const unpacked = (rollup: DailyRollup, persistedThrough: number | null = rollup.through): UnpackedDay => ({
  rollup,
  persistedThrough,
});

describe('FinishedDays', () => {
  it('gives the days with a stored copy as stored (never-written ones left out), or null when one is behind', () => {
    const draws = numbers(7);
    const days = [5, 4, 3, 2].map((back) => randomDay(() => draws.next().value as number, back));
    const finished = new FinishedDays('api');
    finished.add([unpacked(days[0]!), unpacked(days[1]!, null), unpacked(days[2]!), unpacked(days[3]!)]);
    expect(finished.storedRollups()).toEqual([days[0], days[2], days[3]]);
    finished.add([unpacked(days[2]!, days[2]!.through - 1000)]);
    expect(finished.storedRollups()).toBeNull();
  });

  // Up to 40,000 checks a day every latency bucket fits in 16 bits; up to 86,400 (a check a second) some do not.
  it.each([
    ['any bucket', 86_400, 86_400],
    ['16-bit buckets', 40_000, 40_000],
    ['16-bit buckets, then a wider one', 40_000, 86_400],
  ])(
    'gives back every day it packed as it was, in any order of adds, replaces, takes and drops (%s)',
    (_, first, later) => {
      const random = numbers(20261203);
      const next = () => random.next().value as number;
      const packed = new FinishedDays('api');
      const expected = new Map<string, DailyRollup>();
      for (let round = 0; round < 60; round += 1) {
        const batch = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
          randomDay(next, 2 + Math.floor(next() * 88), round < 40 ? first : later),
        );
        const refused = packed.add(batch.map((rollup) => unpacked(rollup)));
        expect(refused).toEqual([]);
        for (const rollup of batch) expected.set(rollup.day, structuredClone(rollup));
        if (next() < 0.3) {
          const day = [...expected.keys()][Math.floor(next() * expected.size)] as string;
          expect(packed.take(day)).toEqual({ rollup: expected.get(day), persistedThrough: expected.get(day)?.through });
          expected.delete(day);
          expect(packed.has(day)).toBe(false);
        }
        if (next() < 0.1) {
          const limit = dayOf(NOW - Math.floor(next() * 90) * DAY);
          packed.dropBefore(limit);
          for (const day of expected.keys()) if (day < limit) expected.delete(day);
        }
        const sorted = [...expected.keys()].sort();
        expect(packed.size).toBe(sorted.length);
        expect(packed.rollups()).toEqual(sorted.map((day) => expected.get(day)));
        for (const day of sorted) {
          expect(packed.rollup(day)).toEqual(expected.get(day));
          expect(packed.bar(day)).toEqual(toBar(day, expected.get(day)));
        }
        for (const days of [1, 3, 7, 30, 90]) expect(packed.sumDays(NOW, days)).toEqual(sumDays(expected, NOW, days));
      }
    },
  );

  it('keeps a day exactly when its latency buckets no longer fit in 16 bits, and the 16-bit days beside it', () => {
    const packed = new FinishedDays('api');
    const day = (back: number, bucket: number): DailyRollup => {
      const rollup = emptyRollup('api', dayOf(NOW - back * DAY));
      rollup.total = bucket + 1;
      rollup.latencyCount = bucket + 1;
      rollup.latencySum = 40 * (bucket + 1);
      rollup.latencyBuckets = LATENCY_BUCKETS_MS.map((_, index) => (index === 3 ? bucket : index === 4 ? 1 : 0));
      rollup.through = Date.parse(`${rollup.day}T23:00:00Z`);
      return { ...rollup, hourTotal: [], hourFailures: [], hourLatencySum: [] };
    };
    const narrow = [day(5, 65_535), day(4, 12)];
    expect(packed.add(narrow.map((rollup) => unpacked(rollup)))).toEqual([]);
    expect(packed.rollups()).toEqual(narrow);
    const wide = day(3, 65_536);
    expect(packed.add([unpacked(wide)])).toEqual([]);
    expect(packed.rollups()).toEqual([...narrow, wide]);
    packed.dropBefore(dayOf(NOW - 4 * DAY));
    expect(packed.rollups()).toEqual([narrow[1], wide]);
    expect(packed.take(wide.day)?.rollup).toEqual(wide);
    expect(packed.rollups()).toEqual([narrow[1]]);
  });

  it('keeps of each histogram only the run from its first non-zero bucket to its last', () => {
    const packed = new FinishedDays('api');
    const day = (back: number, buckets: Record<number, number>): DailyRollup => {
      const rollup = emptyRollup('api', dayOf(NOW - back * DAY));
      rollup.latencyBuckets = LATENCY_BUCKETS_MS.map((_, index) => buckets[index] ?? 0);
      rollup.latencyCount = rollup.latencyBuckets.reduce((sum, count) => sum + count, 0);
      rollup.total = rollup.latencyCount + 3;
      rollup.failures = 3;
      rollup.through = Date.parse(`${rollup.day}T23:00:00Z`);
      return { ...rollup, hourTotal: [], hourFailures: [], hourLatencySum: [] };
    };
    // One bucket; none (only failures); a run of three with a zero inside; the first and the last bucket.
    const days = [day(6, { 7: 1440 }), day(5, {}), day(4, { 2: 9, 4: 1 }), day(3, { 0: 1, 19: 2 })];
    expect(packed.add(days.map((rollup) => unpacked(rollup)))).toEqual([]);
    expect(packed.rollups()).toEqual(days);
    // Per day 11 whole numbers at 2 B and the latency sum (8 B), and the kept buckets at 2 B: 1 + 0 + 3 + 20 of them.
    expect(packed.byteLength).toBe(4 * (11 * 2 + 8) + (1 + 0 + 3 + 20) * 2);
    packed.dropBefore(days[2]!.day);
    expect(packed.rollups()).toEqual(days.slice(2));
    expect(packed.byteLength).toBe(2 * (11 * 2 + 8) + (3 + 20) * 2);
    // A day counting past 16 bits widens the service's numbers to 4 B each, the days already packed kept exactly.
    const busy = day(2, { 1: 70_000 });
    expect(packed.add([unpacked(busy)])).toEqual([]);
    expect(packed.rollups()).toEqual([...days.slice(2), busy]);
    expect(packed.byteLength).toBe(3 * (11 * 4 + 8) + (3 + 20 + 1) * 4);
  });

  it('widens to 32 bits when the bucket pool outgrows 16-bit offsets (ten years of history kept)', () => {
    const packed = new FinishedDays('api');
    const days = Array.from({ length: 3400 }, (_, back) => {
      const rollup = emptyRollup('api', dayOf(NOW - (back + 2) * DAY));
      rollup.latencyBuckets = LATENCY_BUCKETS_MS.map((_, index) => index + 1);
      rollup.latencyCount = 210;
      rollup.total = 210;
      rollup.through = Date.parse(`${rollup.day}T23:00:00Z`);
      return { ...rollup, hourTotal: [], hourFailures: [], hourLatencySum: [] };
    }).reverse();
    expect(packed.add(days.map((rollup) => unpacked(rollup)))).toEqual([]);
    expect(packed.rollup(days.at(-1)!.day)).toEqual(days.at(-1));
    expect(packed.rollups()).toEqual(days);
  });

  it('keeps what was known of the stored copy, never-stored included', () => {
    const packed = new FinishedDays('api');
    const day = randomDay(() => 0.5, 3);
    packed.add([unpacked(day, null)]);
    expect(packed.take(day.day)?.persistedThrough).toBeNull();
    packed.add([unpacked(day, day.through - 5000)]);
    expect(packed.take(day.day)?.persistedThrough).toBe(day.through - 5000);
    // Watermarks up to 2^31 − 1 ms after the day's start, in 16-bit days as in 32-bit ones.
    const start = Date.parse(`${day.day}T00:00:00Z`);
    for (const total of [10, 100_000]) {
      const late = { ...day, total, through: start + 2 ** 31 - 1 };
      packed.add([unpacked(late, start + 2 ** 31 - 2)]);
      expect(packed.take(day.day)).toEqual({ rollup: late, persistedThrough: start + 2 ** 31 - 2 });
      packed.add([unpacked(late, start)]);
      expect(packed.take(day.day)).toEqual({ rollup: late, persistedThrough: start });
    }
  });

  it('refuses, and gives back, a day it cannot hold exactly; packs the others', () => {
    const good = randomDay(() => 0.4, 5);
    const odd = (change: Partial<DailyRollup>, back: number) => ({ ...randomDay(() => 0.3, back), ...change });
    const refused = [
      odd({ total: 2.5 }, 6),
      odd({ failures: -1 }, 7),
      odd({ maintenance: 2 ** 31 }, 8),
      odd({ latencyBuckets: [1, 2, 3] }, 9),
      odd({ latencyBuckets: LATENCY_BUCKETS_MS.map((_, index) => (index === 3 ? 0.5 : 1)) }, 10),
      odd({ latencySum: Number.NaN }, 11),
      odd({ through: Number.POSITIVE_INFINITY }, 12),
      // Watermarks are kept as whole ms after the day's start (a check's start time falls within its day).
      odd({ through: Date.parse(`${dayOf(NOW - 15 * DAY)}T10:00:00Z`) + 0.5 }, 15),
      odd({ through: Date.parse(`${dayOf(NOW - 16 * DAY)}T00:00:00Z`) - 1 }, 16),
      odd({ through: Date.parse(`${dayOf(NOW - 17 * DAY)}T00:00:00Z`) + 2 ** 31 }, 17),
      odd({ day: '2026-1-05' }, 13),
      odd({ day: '2026-02-30' }, 14),
    ].map((rollup) => unpacked(rollup));
    // ... and the same of what was known of its stored copy.
    const [before, fraction] = [randomDay(() => 0.3, 18), randomDay(() => 0.3, 19)];
    refused.push(
      unpacked(before, Date.parse(`${before.day}T00:00:00Z`) - 1),
      unpacked(fraction, fraction.through - 0.5),
    );
    const packed = new FinishedDays('api');
    expect(packed.add([...refused, unpacked(good)])).toEqual(refused);
    expect(packed.rollups()).toEqual([good]);
  });

  it('changes its version whenever the days it holds change', () => {
    const packed = new FinishedDays('api');
    const seen = [packed.version];
    const day = randomDay(() => 0.6, 4);
    packed.add([unpacked(day)]);
    seen.push(packed.version);
    packed.take(day.day);
    seen.push(packed.version);
    packed.add([unpacked(day)]);
    packed.dropBefore(dayOf(NOW));
    seen.push(packed.version);
    expect(new Set(seen).size).toBe(4);
    expect(packed.take('2026-12-01')).toBeUndefined();
  });

  it('reads day names the way dayOf writes them, and nothing else', () => {
    expect(dayNumberOf(dayOf(NOW))).toBe(Math.floor(NOW / DAY));
    expect(dayNumberOf('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / DAY);
    for (const wrong of ['2023-02-29', '2026-13-01', '2026-12-3', '20261203', 'x', ' 2026-12-03'])
      expect(dayNumberOf(wrong)).toBeNull();
  });
});

describe('shown days (slots and packed days together)', () => {
  it('shows the same bars, windows and rollups as the same days kept as objects', () => {
    const random = numbers(7);
    const next = () => random.next().value as number;
    const all = new Map<string, DailyRollup>();
    for (let back = 0; back < 90; back += 1) if (next() < 0.9) all.set(dayOf(NOW - back * DAY), randomDay(next, back));
    const slots = new Map<string, RollupSlot>();
    const finished = new FinishedDays('api');
    const yesterday = dayOf(NOW - DAY);
    for (const [day, rollup] of all) {
      if (day >= yesterday) {
        rollup.hourTotal = Array.from({ length: 24 }, () => Math.floor(next() * 100));
        rollup.hourFailures = rollup.hourTotal.map((count) => Math.floor(count * next()));
        slots.set(day, {
          rollup,
          durable: null,
          persistedThrough: rollup.through,
          pending: 0,
          lastFlushAt: NOW,
          saving: false,
        });
      } else finished.add([unpacked(structuredClone(rollup))]);
    }
    const shown = { rollups: slots, finished };
    for (let back = 0; back < 92; back += 1) {
      const day = dayOf(NOW - back * DAY);
      expect(dayBar(shown, day)).toEqual(toBar(day, all.get(day)));
    }
    const totals = shownTotals(shown, NOW);
    for (const days of [1, 2, 7, 30, 90]) expect(totals.days(days)).toEqual(sumDays(all, NOW, days));
    const byDay = rollupsByDay(shown);
    expect(new Map([...byDay].sort())).toEqual(new Map([...all].sort()));
  });
});
