import { seededRandom } from '@app/common/testing';
import { LATENCY_BUCKETS_MS, dayOf, type DailyRollup } from '@app/monitoring';
import {
  decodeBuckets,
  decodeFinishedDays,
  encodeBuckets,
  encodeFinishedDays,
  scanFinishedDays,
} from './rollup-codec.js';

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 8, 1);
const day = (offset: number) => dayOf(START + offset * DAY_MS);

function randomRollup(random: () => number, offset: number): DailyRollup {
  const whole = (max: number) => Math.floor(random() * max);
  const latencyBuckets = LATENCY_BUCKETS_MS.map(() => (random() < 0.3 ? whole(50_000) : 0));
  if (random() < 0.1) latencyBuckets.fill(0);
  return {
    serviceId: 'svc-1',
    day: day(offset),
    total: whole(90_000),
    failures: whole(100),
    maintenance: whole(10),
    latencySum: random() * 1e7,
    latencyCount: whole(90_000),
    hourTotal: [],
    hourFailures: [],
    hourLatencySum: [],
    latencyBuckets,
    through: START + offset * DAY_MS + whole(DAY_MS),
  };
}

/** A rollup as a copy gives it back: an all-zero histogram is written as none. */
const asRead = (rollup: DailyRollup): DailyRollup => ({
  ...rollup,
  latencyBuckets: rollup.latencyBuckets.some((count) => count > 0) ? rollup.latencyBuckets : [],
});

const row = (dayText: unknown, histogram: unknown = '6:2', counters: unknown[] = [3, 1, 0, 12.5, 2, START]) =>
  JSON.stringify([[dayText, ...counters, histogram]]);

describe('the finished days codec', () => {
  it('gives back every day it wrote, oldest first, with its counters and histogram exactly', () => {
    const random = seededRandom(17);
    for (let round = 0; round < 50; round += 1) {
      const days = Array.from({ length: 1 + Math.floor(random() * 91) }, (_, index) => randomRollup(random, index));
      const text = encodeFinishedDays(days);
      expect(decodeFinishedDays('svc-1', day(200), text)).toEqual(days.map(asRead));
      expect(scanFinishedDays(day(200), text)).toEqual({ days: days.length, lastDay: days.at(-1)?.day });
    }
  });

  it('reads only the days from `fromDay` and before `before`', () => {
    const random = seededRandom(3);
    const days = Array.from({ length: 10 }, (_, index) => randomRollup(random, index));
    const text = encodeFinishedDays(days);
    expect(decodeFinishedDays('svc-1', day(20), text, day(3), day(7))).toEqual(days.slice(3, 7).map(asRead));
    expect(decodeFinishedDays('svc-1', day(20), text, day(8))).toEqual(days.slice(8).map(asRead));
  });

  it('puts a copy written in another order in order, and names its newest day', () => {
    const random = seededRandom(5);
    const days = [randomRollup(random, 4), randomRollup(random, 1), randomRollup(random, 9)];
    const text = encodeFinishedDays(days);
    expect(decodeFinishedDays('svc-1', day(20), text)?.map((rollup) => rollup.day)).toEqual([day(1), day(4), day(9)]);
    expect(scanFinishedDays(day(20), text)).toEqual({ days: 3, lastDay: day(9) });
  });

  it('reads an empty copy as no days', () => {
    expect(decodeFinishedDays('svc-1', day(0), '[]')).toEqual([]);
    expect(scanFinishedDays(day(0), '[]')).toEqual({ days: 0, lastDay: null });
  });

  it.each([
    ['not JSON', '[["2026-09-01"'],
    ['not an array', '{"days":[]}'],
    ['a row of 7 fields', JSON.stringify([['2026-09-01', 3, 1, 0, 12.5, 2, '6:2']])],
    ['a row that is not an array', JSON.stringify(['2026-09-01'])],
    ['a day that is not a day', row('not a day')],
    ['a day that does not exist', row('2026-02-30')],
    ['a day in another form', row('2026-9-01')],
    ['a day after the copy', row(day(3))],
    ['a negative counter', row(day(0), '6:2', [3, -1, 0, 12.5, 2, START])],
    ['a counter as text', row(day(0), '6:2', [3, '1', 0, 12.5, 2, START])],
    ['a counter that is null (NaN written as JSON)', row(day(0), '6:2', [3, 1, 0, null, 2, START])],
    ['a histogram that is not text', row(day(0), 6)],
    ['a bucket past the last', row(day(0), `${LATENCY_BUCKETS_MS.length}:1`)],
    ['a pair without its count', row(day(0), '6:')],
    ['a pair without its bucket', row(day(0), ':5')],
    ['a pair with three parts', row(day(0), '6:1:2')],
    ['a trailing comma', row(day(0), '6:1,')],
    ['a space', row(day(0), ' 6:1')],
    ['a fractional count', row(day(0), '6:1.5')],
    ['a negative count', row(day(0), '6:-1')],
    ['a count past 2^53', row(day(0), '6:9007199254740993')],
  ])('reads a copy with %s as damaged (none)', (_, text) => {
    expect(decodeFinishedDays('svc-1', day(2), text)).toBeNull();
    expect(scanFinishedDays(day(2), text)).toBeNull();
  });

  it('accepts the rows that pass next to the damaged one only as a whole: one bad day spoils the copy', () => {
    const random = seededRandom(9);
    const rows = JSON.parse(encodeFinishedDays([randomRollup(random, 0), randomRollup(random, 1)])) as unknown[][];
    (rows[1] as unknown[])[7] = '6:x';
    expect(decodeFinishedDays('svc-1', day(5), JSON.stringify(rows))).toBeNull();
  });
});

describe('a rollup item histogram', () => {
  it('round-trips every non-empty bucket; none and all-zero read as no histogram', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 200; round += 1) {
      const buckets = LATENCY_BUCKETS_MS.map(() => (random() < 0.4 ? Math.floor(random() * 1e9) : 0));
      expect(decodeBuckets(encodeBuckets(buckets))).toEqual(buckets.some((count) => count > 0) ? buckets : []);
    }
    expect(decodeBuckets(undefined)).toEqual([]);
    expect(decodeBuckets('')).toEqual([]);
  });

  it.each(['6:', '6', '6:1,', ',6:1', '6:1,,7:2', '6;1', '99:1', '6:1 '])('reads "%s" as no histogram', (text) => {
    expect(decodeBuckets(text)).toEqual([]);
  });
});
