import { KILL_NOTICE_MS, closestPair, doublePairs, matchHits, splitFencedDoubles } from './analysis.js';

describe('chaos analysis: double probes', () => {
  const hits = new Map([
    ['a', [1_000, 1_300, 5_000]],
    ['b', [2_000, 2_400]],
  ]);

  it('pairs hits closer than the bound, with the earlier one', () => {
    expect(doublePairs(hits, 1_000)).toEqual([
      { serviceId: 'a', at: 1_300, previous: 1_000 },
      { serviceId: 'b', at: 2_400, previous: 2_000 },
    ]);
  });

  it('counts a pair as fenced only when one of its probes was never stored', () => {
    // a@1000 and both b probes are stored; a@1300 never was (its replica had lost the service).
    const stored = new Map([
      ['a', [1_000, 5_000]],
      ['b', [2_000, 2_400]],
    ]);
    const match = matchHits(hits, stored, [1_400], 200, 500);
    expect(match.unmatched).toEqual(new Map([['a', new Set([1_300])]]));
    expect(splitFencedDoubles(doublePairs(hits, 1_000), match.unmatched)).toEqual({
      stored: [{ serviceId: 'b', at: 2_400 }],
      fenced: [{ serviceId: 'a', at: 1_300 }],
    });
  });
});

describe('chaos analysis: the closest stored checks', () => {
  const stored = new Map([
    ['a', [1_000, 3_000, 3_900, 6_000]],
    ['b', [2_000, 2_950]],
    ['c', [7_000]],
  ]);

  it('finds the closest pair of any service, and none without two checks', () => {
    expect(closestPair(stored)).toEqual({ serviceId: 'a', at: 3_900, gapMs: 900 });
    expect(closestPair(new Map([['c', [7_000]]]))).toBeNull();
  });
});

describe('chaos analysis: probes without a stored check', () => {
  it('excuses a hit up to killWindowMs before a kill, or recorded at most KILL_NOTICE_MS after it; not later', () => {
    const kill = 10_000;
    const hits = new Map([
      ['a', [kill - 2_000, kill - 3_000, kill + KILL_NOTICE_MS - 20, kill + KILL_NOTICE_MS + 100, 20_000]],
    ]);
    const stored = new Map([['a', [20_000]]]);
    const match = matchHits(hits, stored, [kill], 200, 2_500);
    expect(match.matched).toBe(1);
    expect(match.inFlightAtKill).toBe(2);
    expect(match.lost).toEqual([
      { serviceId: 'a', at: kill - 3_000 },
      { serviceId: 'a', at: kill + KILL_NOTICE_MS + 100 },
    ]);
  });
});
