import { advanceDue, firstDueAt, phaseOf } from './schedule.js';
import { SlipStats } from './slip-stats.js';

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0) + 250; // 250 ms past a whole second
const NEXT_SECOND = NOW - 250 + 1000;
const ids = Array.from({ length: 200 }, (_, i) => `service-${i}`);

describe('phaseOf', () => {
  it('is stable for an id and stays within the slots', () => {
    for (const id of ids) {
      expect(phaseOf(id, 30)).toBe(phaseOf(id, 30));
      expect(phaseOf(id, 30)).toBeGreaterThanOrEqual(0);
      expect(phaseOf(id, 30)).toBeLessThan(30);
    }
  });

  it('treats zero slots as one', () => {
    expect(phaseOf('api', 0)).toBe(0);
  });
});

describe('firstDueAt', () => {
  describe('for a service never checked', () => {
    it.each([1_000, 5_000, 30_000, 60_000, 300_000, 86_400_000])(
      'picks a whole second within min(interval, 60 s) from the next second (interval %d ms)',
      (intervalMs) => {
        const spread = Math.min(intervalMs, 60_000);
        for (const id of ids) {
          const due = firstDueAt(id, intervalMs, null, NOW);
          expect(due % 1000).toBe(0);
          expect(due).toBeGreaterThanOrEqual(NEXT_SECOND);
          expect(due).toBeLessThan(NEXT_SECOND + spread);
        }
      },
    );

    it('spreads many services over the window instead of firing them on the same second', () => {
      const seconds = new Set(ids.map((id) => firstDueAt(id, 30_000, null, NOW)));
      expect(seconds.size).toBeGreaterThanOrEqual(25);
    });

    it('starts a 1 s service on the next whole second', () => {
      expect(firstDueAt('api', 1_000, null, NOW)).toBe(NEXT_SECOND);
    });

    it('gives the same id the same phase every time', () => {
      expect(firstDueAt('api', 30_000, null, NOW)).toBe(firstDueAt('api', 30_000, null, NOW));
      expect(firstDueAt('api', 30_000, null, NOW + 60_000)).toBe(firstDueAt('api', 30_000, null, NOW) + 60_000);
    });

    it('is due right away when now is exactly a whole second and the phase is 0', () => {
      const whole = NOW - 250;
      expect(firstDueAt('api', 1_000, null, whole)).toBe(whole);
    });
  });

  describe('for a service with a stored last check (restart)', () => {
    it('resumes the rhythm: one interval after the last check, rounded up to a whole second', () => {
      expect(firstDueAt('api', 30_000, NOW - 10_000, NOW)).toBe(NOW - 250 + 21_000);
      expect(firstDueAt('api', 30_000, NOW - 10_250, NOW)).toBe(NOW - 250 + 20_000);
    });

    it('is due on the next second when the slot is this very second', () => {
      expect(firstDueAt('api', 30_000, NOW - 29_800, NOW)).toBe(NEXT_SECOND);
    });

    it('falls back to the spread window when the slot has already passed', () => {
      const due = firstDueAt('api', 30_000, NOW - 120_000, NOW);
      expect(due).toBe(firstDueAt('api', 30_000, null, NOW));
    });
  });
});

describe('advanceDue', () => {
  it('moves one interval forward when the dispatch was on time', () => {
    expect(advanceDue(10_000, 5_000, 10_000)).toEqual({ nextDueAt: 15_000, skipped: 0 });
    expect(advanceDue(10_000, 5_000, 14_999)).toEqual({ nextDueAt: 15_000, skipped: 0 });
  });

  it('keeps a fixed rate from the due time, not from the late start', () => {
    expect(advanceDue(10_000, 5_000, 12_345).nextDueAt).toBe(15_000);
  });

  it('skips the slots that were missed instead of firing them in a burst', () => {
    expect(advanceDue(10_000, 5_000, 15_000)).toEqual({ nextDueAt: 20_000, skipped: 1 });
    expect(advanceDue(10_000, 5_000, 22_500)).toEqual({ nextDueAt: 25_000, skipped: 2 });
    expect(advanceDue(0, 1_000, 60_000)).toEqual({ nextDueAt: 61_000, skipped: 60 });
  });
});

describe('SlipStats', () => {
  it('reports nothing before the first sample', () => {
    expect(new SlipStats().summary()).toEqual({
      samples: 0,
      p50Ms: null,
      p99Ms: null,
      maxMs: 0,
      dispatched: 0,
      skippedSlots: 0,
    });
  });

  it('reports p50, p99 and max of the samples', () => {
    const stats = new SlipStats();
    // recorded in a shuffled order: percentiles must not depend on arrival order
    for (let i = 0; i < 100; i += 1) stats.record(((i * 37) % 100) + 1);
    stats.skippedSlots += 3;
    expect(stats.summary()).toEqual({
      samples: 100,
      p50Ms: 51,
      p99Ms: 100,
      maxMs: 100,
      dispatched: 100,
      skippedSlots: 3,
    });
  });

  it('keeps only the newest samples once the capacity is reached, but counts every dispatch', () => {
    const stats = new SlipStats(10);
    for (let slip = 1; slip <= 20; slip += 1) stats.record(slip);
    const summary = stats.summary();
    expect(summary.samples).toBe(10);
    expect(summary.p50Ms).toBe(16); // newest ten are 11..20
    expect(summary.p99Ms).toBe(20);
    expect(summary.dispatched).toBe(20);
  });

  it('lets one outlier show in max and p99 without moving p50', () => {
    const stats = new SlipStats();
    for (let i = 0; i < 99; i += 1) stats.record(5);
    stats.record(4_000);
    expect(stats.summary()).toMatchObject({ p50Ms: 5, p99Ms: 4_000, maxMs: 4_000 });
  });
});
