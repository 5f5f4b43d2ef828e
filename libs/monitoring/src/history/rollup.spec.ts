import {
  copyRollup,
  dayOf,
  emptyRollup,
  foldCheck,
  lastDays,
  percent,
  sameRollup,
  startOfDay,
  sumDays,
  sumLast24h,
  toBar,
  type DailyRollup,
  type FoldableCheck,
} from './rollup.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const JAN_10 = Date.UTC(2026, 0, 10);
const JAN_11 = Date.UTC(2026, 0, 11);

const check = (at: number, ok = true, latencyMs = 100, maintenance = false): FoldableCheck => ({
  at,
  ok,
  latencyMs,
  maintenance,
});

function rollupOf(day: number, checks: FoldableCheck[]): DailyRollup {
  const rollup = emptyRollup('api', dayOf(day));
  for (const c of checks) foldCheck(rollup, c);
  return rollup;
}

describe('days', () => {
  it('names the UTC day of an instant', () => {
    expect(dayOf(JAN_10)).toBe('2026-01-10');
    expect(dayOf(JAN_11 - 1)).toBe('2026-01-10');
    expect(startOfDay(JAN_10 + 13 * HOUR + 5)).toBe(JAN_10);
  });

  it('lists the last N days oldest first, today included', () => {
    expect(lastDays(JAN_11 + 5 * HOUR, 3)).toEqual(['2026-01-09', '2026-01-10', '2026-01-11']);
    expect(lastDays(Date.UTC(2026, 2, 1, 12), 2)).toEqual(['2026-02-28', '2026-03-01']);
  });
});

describe('foldCheck', () => {
  it('counts checks, failures and the latency of successful checks', () => {
    const rollup = rollupOf(JAN_10, [
      check(JAN_10 + 1000, true, 100),
      check(JAN_10 + 2000, false, 900),
      check(JAN_10 + 3000, true, 300),
    ]);
    expect(rollup).toMatchObject({
      total: 3,
      failures: 1,
      maintenance: 0,
      latencySum: 400,
      latencyCount: 2,
      through: JAN_10 + 3000,
    });
  });

  it('puts each check in the slot of its UTC hour', () => {
    const rollup = rollupOf(JAN_10, [
      check(JAN_10 + 59 * 60_000),
      check(JAN_10 + HOUR),
      check(JAN_10 + 13 * HOUR + 1, false),
      check(JAN_10 + 23 * HOUR + 59 * 60_000, false),
    ]);
    expect(rollup.hourTotal[0]).toBe(1);
    expect(rollup.hourTotal[1]).toBe(1);
    expect(rollup.hourTotal[13]).toBe(1);
    expect(rollup.hourFailures[13]).toBe(1);
    expect(rollup.hourTotal[23]).toBe(1);
    expect(rollup.hourFailures[23]).toBe(1);
    expect(rollup.hourTotal.reduce((a, b) => a + b, 0)).toBe(4);
    expect(rollup.hourFailures.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('is idempotent: a check at or before `through` is ignored and reported as such', () => {
    const rollup = emptyRollup('api', '2026-01-10');
    expect(foldCheck(rollup, check(JAN_10 + 5000))).toBe(true);
    const after = structuredClone(rollup);
    expect(foldCheck(rollup, check(JAN_10 + 5000))).toBe(false);
    expect(foldCheck(rollup, check(JAN_10 + 4000, false))).toBe(false);
    expect(rollup).toEqual(after);
  });

  it('records maintenance checks but leaves them out of uptime and latency', () => {
    const rollup = rollupOf(JAN_10, [check(JAN_10 + 1000, false, 50, true), check(JAN_10 + 2000, true, 70, true)]);
    expect(rollup).toMatchObject({ total: 0, failures: 0, maintenance: 2, latencyCount: 0, through: JAN_10 + 2000 });
    expect(rollup.hourTotal.every((n) => n === 0)).toBe(true);
    expect(toBar('2026-01-10', rollup).uptime).toBeNull();
  });

  it('moves `through` past a maintenance check so a replay does not count it twice', () => {
    const rollup = rollupOf(JAN_10, [check(JAN_10 + 1000, false, 50, true)]);
    expect(foldCheck(rollup, check(JAN_10 + 1000, false, 50, true))).toBe(false);
    expect(rollup.maintenance).toBe(1);
  });
});

describe('copyRollup and sameRollup', () => {
  const sample = () =>
    rollupOf(JAN_10, [check(JAN_10 + 1000), check(JAN_10 + 2 * HOUR, false), check(JAN_10 + 3 * HOUR, true, 20, true)]);

  it('copies every counter into arrays of its own', () => {
    const rollup = sample();
    const copy = copyRollup(rollup);
    expect(copy).toEqual(rollup);
    expect(sameRollup(copy, rollup)).toBe(true);
    foldCheck(copy, check(JAN_10 + 4 * HOUR));
    expect(rollup).toEqual(sample());
  });

  it('tells apart two days that differ in any one field or slot', () => {
    const base = sample();
    const keys = Object.keys(base) as (keyof DailyRollup)[];
    expect(keys).toHaveLength(12); // a new field must be compared (and added here)
    for (const key of keys) {
      const other = copyRollup(base);
      const value = other[key];
      if (Array.isArray(value)) {
        (other as unknown as Record<string, number[]>)[key] =
          value.length > 0 ? value.map((n, i) => (i === 5 ? n + 1 : n)) : [0];
        expect(sameRollup(other, base)).toBe(false);
        (other as unknown as Record<string, number[]>)[key] = value.slice(0, -1);
      } else if (typeof value === 'number') (other as unknown as Record<string, number>)[key] = value + 0.5;
      else (other as unknown as Record<string, string>)[key] = `${String(value)}x`;
      expect([key, sameRollup(other, base)]).toEqual([key, false]);
    }
  });
});

describe('percent', () => {
  it.each([
    [1000, 1000, 100],
    [999, 1000, 99.9],
    [99_999, 100_000, 99.999],
    [0, 10, 0],
    [1, 2, 50],
    [2, 3, 66.666],
  ])('gives %d of %d as %d %%', (ok, total, expected) => {
    expect(percent(ok, total)).toBe(expected);
  });

  it('rounds down, so an imperfect service never shows 100 %', () => {
    expect(percent(999_999, 1_000_000)).toBe(99.999);
    expect(percent(1, 3)).toBe(33.333);
  });

  it.each([
    [29, 100, 29],
    [57, 100, 57],
    [29, 50, 58],
    [23, 40, 57.5],
  ])('gives exact fractions exactly (%d of %d is %d %%), without floating point drift', (ok, total, expected) => {
    expect(percent(ok, total)).toBe(expected);
  });

  it('is null without checks', () => {
    expect(percent(0, 0)).toBeNull();
  });
});

describe('toBar', () => {
  it('is empty for a day without a rollup or without counted checks', () => {
    const empty = { date: '2026-01-10', uptime: null, checks: 0, failures: 0, avgLatencyMs: null };
    expect(toBar('2026-01-10', undefined)).toEqual(empty);
    expect(toBar('2026-01-10', emptyRollup('api', '2026-01-10'))).toEqual(empty);
  });

  it('shows uptime, counts and the rounded mean latency of successful checks', () => {
    const rollup = rollupOf(JAN_10, [
      check(JAN_10 + 1, true, 100),
      check(JAN_10 + 2, true, 101),
      check(JAN_10 + 3, false, 5000),
      check(JAN_10 + 4, true, 102),
    ]);
    expect(toBar('2026-01-10', rollup)).toEqual({
      date: '2026-01-10',
      uptime: 75,
      checks: 4,
      failures: 1,
      avgLatencyMs: 101,
    });
  });

  it('has no latency when every check failed', () => {
    const rollup = rollupOf(JAN_10, [check(JAN_10 + 1, false)]);
    expect(toBar('2026-01-10', rollup)).toMatchObject({ uptime: 0, avgLatencyMs: null });
  });
});

describe('sumDays', () => {
  const byDay = new Map<string, DailyRollup>();
  for (const [offset, ok, failed] of [
    [0, 10, 0],
    [1, 8, 2],
    [6, 5, 5],
    [7, 100, 100],
  ] as const) {
    const day = JAN_11 - offset * DAY;
    const checks = [
      ...Array.from({ length: ok }, (_, i) => check(day + i + 1)),
      ...Array.from({ length: failed }, (_, i) => check(day + ok + i + 1, false)),
    ];
    byDay.set(dayOf(day), rollupOf(day, checks));
  }

  it('adds the last N calendar days, today included, skipping days without data', () => {
    expect(sumDays(byDay, JAN_11 + 12 * HOUR, 1)).toEqual({ total: 10, failures: 0 });
    expect(sumDays(byDay, JAN_11 + 12 * HOUR, 2)).toEqual({ total: 20, failures: 2 });
    expect(sumDays(byDay, JAN_11 + 12 * HOUR, 7)).toEqual({ total: 30, failures: 7 });
    expect(sumDays(byDay, JAN_11 + 12 * HOUR, 8)).toEqual({ total: 230, failures: 107 });
  });

  it('is zero when there is no history', () => {
    expect(sumDays(new Map(), JAN_11, 30)).toEqual({ total: 0, failures: 0 });
  });
});

describe('sumLast24h', () => {
  it('covers the current hour and the 23 before it, across midnight', () => {
    const now = JAN_11 + 2 * HOUR + 30 * 60_000; // 02:30 on Jan 11
    const byDay = new Map<string, DailyRollup>([
      [
        '2026-01-10',
        rollupOf(JAN_10, [
          check(JAN_10 + 2 * HOUR + 10 * 60_000, false), // 02:10 yesterday: more than 24 h ago, out
          check(JAN_10 + 3 * HOUR + 10 * 60_000, false), // 03:10 yesterday: in
          check(JAN_10 + 23 * HOUR + 59 * 60_000), // 23:59 yesterday: in
        ]),
      ],
      [
        '2026-01-11',
        rollupOf(JAN_11, [
          check(JAN_11 + 10 * 60_000), // 00:10 today: in
          check(JAN_11 + 2 * HOUR + 20 * 60_000), // 02:20 today: in
        ]),
      ],
    ]);
    expect(sumLast24h(byDay, now)).toEqual({ total: 4, failures: 1 });
  });

  it('ignores days older than yesterday', () => {
    const jan9 = JAN_10 - DAY;
    const byDay = new Map([['2026-01-09', rollupOf(jan9, [check(jan9 + 23 * HOUR, false)])]]);
    expect(sumLast24h(byDay, JAN_11)).toEqual({ total: 0, failures: 0 });
  });
});
