import {
  advanceDue,
  firstDueAfterUnknownLast,
  firstDueAt,
  offsetOf,
  phaseOf,
  resumeGrid,
  takeoverDueAt,
} from './schedule.js';
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

describe('offsetOf', () => {
  it('is the same millisecond for an id every time, within 0..999', () => {
    for (const id of ids) {
      expect(offsetOf(id)).toBe(offsetOf(id));
      expect(Number.isInteger(offsetOf(id))).toBe(true);
      expect(offsetOf(id)).toBeGreaterThanOrEqual(0);
      expect(offsetOf(id)).toBeLessThan(1000);
    }
  });

  it('spreads services over the second: every tenth of it is used, none holds more than a fifth', () => {
    const tenths = new Array<number>(10).fill(0);
    for (const id of ids) tenths[Math.floor(offsetOf(id) / 100)] = (tenths[Math.floor(offsetOf(id) / 100)] ?? 0) + 1;
    expect(Math.min(...tenths)).toBeGreaterThan(0);
    expect(Math.max(...tenths)).toBeLessThanOrEqual(ids.length / 5);
    expect(new Set(ids.map(offsetOf)).size).toBeGreaterThanOrEqual(150);
  });

  it('does not follow the phase: services due in the same second get (nearly) all different milliseconds', () => {
    const sameSecond = ids.filter((id) => phaseOf(id, 20) === 0);
    expect(sameSecond.length).toBeGreaterThanOrEqual(5);
    // Independent hashes collide now and then (birthday): nearly all, not all, are different.
    expect(new Set(sameSecond.map(offsetOf)).size).toBeGreaterThanOrEqual(sameSecond.length - 1);
    expect(new Set(sameSecond.map((id) => offsetOf(id) % 20)).size).toBeGreaterThan(1);
  });
});

/** The first point of `id`'s grid (k·1000 + offsetOf(id)) at or after `at`. */
function gridAfter(id: string, at: number): number {
  return Math.ceil((at - offsetOf(id)) / 1000) * 1000 + offsetOf(id);
}

describe('firstDueAt', () => {
  describe('for a service never checked', () => {
    it.each([1_000, 5_000, 30_000, 60_000, 300_000, 86_400_000])(
      'picks a slot of its grid within min(interval, 60 s) from the next slot (interval %d ms)',
      (intervalMs) => {
        const spread = Math.min(intervalMs, 60_000);
        for (const id of ids) {
          const due = firstDueAt(id, intervalMs, null, NOW);
          expect((due - offsetOf(id)) % 1000).toBe(0);
          expect(due).toBeGreaterThanOrEqual(gridAfter(id, NOW));
          expect(due).toBeGreaterThanOrEqual(NOW);
          expect(due).toBeLessThan(gridAfter(id, NOW) + spread);
        }
      },
    );

    it('spreads many services over the window instead of firing them on the same second', () => {
      const seconds = new Set(ids.map((id) => Math.floor(firstDueAt(id, 30_000, null, NOW) / 1000)));
      expect(seconds.size).toBeGreaterThanOrEqual(25);
    });

    it('spreads the services of one second over its milliseconds', () => {
      const dues = ids.map((id) => firstDueAt(id, 20_000, null, NOW));
      const perMillisecond = new Map<number, number>();
      for (const due of dues) perMillisecond.set(due, (perMillisecond.get(due) ?? 0) + 1);
      // 200 services over 20 seconds: about 10 per second, at (nearly) as many different milliseconds.
      expect(perMillisecond.size).toBeGreaterThanOrEqual(190);
    });

    it('starts a 1 s service at the next point of its grid', () => {
      expect(firstDueAt('api', 1_000, null, NOW)).toBe(gridAfter('api', NOW));
    });

    it('gives the same id the same slot every time', () => {
      expect(firstDueAt('api', 30_000, null, NOW)).toBe(firstDueAt('api', 30_000, null, NOW));
      expect(firstDueAt('api', 30_000, null, NOW + 60_000)).toBe(firstDueAt('api', 30_000, null, NOW) + 60_000);
    });

    it('is due right away when now is exactly a point of its grid and the phase is 0', () => {
      const onGrid = NOW - 250 + offsetOf('api');
      expect(firstDueAt('api', 1_000, null, onGrid)).toBe(onGrid);
    });
  });

  describe('for a service with a stored last check (restart)', () => {
    const slot = NEXT_SECOND + offsetOf('api'); // a point of api's grid, 0.75..1.75 s after NOW

    it('resumes the rhythm: one interval after the last check, rounded up to a point of its grid', () => {
      // The last check started 5 ms after its slot (slot - 30 s): the next slot one interval on is taken.
      expect(firstDueAt('api', 30_000, slot - 30_000, NOW)).toBe(slot);
      expect(firstDueAt('api', 30_000, slot - 30_000 + 5, NOW)).toBe(slot + 1000);
      expect(firstDueAt('api', 30_000, slot - 29_000 - 1, NOW)).toBe(slot + 1000);
    });

    it('is due at the next point of its grid when the slot falls before it', () => {
      expect(firstDueAt('api', 30_000, slot - 1000 - 30_000 + 1, NOW)).toBe(slot);
    });

    it('falls back to the spread window when the slot has already passed', () => {
      const due = firstDueAt('api', 30_000, NOW - 120_000, NOW);
      expect(due).toBe(firstDueAt('api', 30_000, null, NOW));
    });
  });

  describe('at boot, counted from the process start', () => {
    // The process started 6.3 s before the services were loaded (`now`): start-up and the boot Scan.
    const STARTED = NOW - 6_300;

    it.each([20_000, 60_000, 300_000])(
      'puts the first check of every service never checked within min(interval, 60 s) of the start (interval %d ms)',
      (intervalMs) => {
        const spread = Math.min(intervalMs, 60_000);
        const dues = ids.map((id) => firstDueAt(id, intervalMs, null, NOW, STARTED));
        for (const [index, due] of dues.entries()) {
          const id = ids[index] as string;
          expect((due - offsetOf(id)) % 1000).toBe(0);
          expect(due).toBeGreaterThanOrEqual(gridAfter(id, NOW));
          expect(due).toBeLessThanOrEqual(STARTED + spread);
        }
        // Still spread over what is left of the window, not fired on one second.
        expect(new Set(dues.map((due) => Math.floor(due / 1000))).size).toBeGreaterThan(10);
      },
    );

    it('leaves at least one second to spread over when loading took longer than the window', () => {
      for (const id of ids) expect(firstDueAt(id, 20_000, null, NOW, NOW - 45_000)).toBe(gridAfter(id, NOW));
    });

    it('keeps the rhythm of a stored last check, and at least half an interval from it', () => {
      const intervalMs = 60_000;
      for (const id of ids) {
        // Checked 20 s before the start: due one interval after it, within one interval of the start.
        const lastCheckAt = STARTED - 20_000 + 3;
        const due = firstDueAt(id, intervalMs, lastCheckAt, NOW, STARTED);
        expect(due).toBe(gridAfter(id, lastCheckAt + intervalMs));
        expect(due).toBeLessThanOrEqual(STARTED + intervalMs);
      }
    });

    it('brings a rhythm slot that rounding put past start + interval back to the grid point before it', () => {
      const intervalMs = 60_000;
      for (const id of ids) {
        // The last check started just before the process was killed and restarted.
        const lastCheckAt = STARTED - 100;
        const due = firstDueAt(id, intervalMs, lastCheckAt, NOW, STARTED);
        expect(due).toBeLessThanOrEqual(STARTED + intervalMs);
        expect(due - lastCheckAt).toBeGreaterThanOrEqual(intervalMs / 2);
        expect(due).toBeGreaterThan(STARTED + intervalMs - 1000);
      }
    });

    it('never comes within half an interval of a stored check newer than the start (another writer)', () => {
      const intervalMs = 60_000;
      for (const id of ids) {
        const lastCheckAt = STARTED + 40_000;
        const due = firstDueAt(id, intervalMs, lastCheckAt, lastCheckAt + 1_000, STARTED);
        expect(due).toBe(gridAfter(id, lastCheckAt + intervalMs));
      }
    });
  });
});

describe('firstDueAfterUnknownLast (after a crash: checked while the recent checks load)', () => {
  const STARTED = NOW - 6_300;

  it.each([20_000, 60_000, 300_000])(
    'comes at least half an interval after the start, within one interval of it, spread (interval %d ms)',
    (intervalMs) => {
      // the newest rollup is older than an interval: firstDueAt alone would spread from the start
      const dues = ids.map((id) => firstDueAfterUnknownLast(id, intervalMs, STARTED - 10 * intervalMs, NOW, STARTED));
      for (const [index, due] of dues.entries()) {
        const id = ids[index] as string;
        expect((due - offsetOf(id)) % 1000).toBe(0);
        expect(due).toBeGreaterThanOrEqual(STARTED + intervalMs / 2);
        expect(due).toBeLessThanOrEqual(STARTED + intervalMs);
      }
      expect(new Set(dues.map((due) => Math.floor(due / 1000))).size).toBeGreaterThan(5);
    },
  );

  it('keeps a rhythm slot from the newest rollup that is already half an interval after the start', () => {
    const intervalMs = 300_000;
    for (const id of ids) {
      const through = STARTED - 60_000;
      expect(firstDueAfterUnknownLast(id, intervalMs, through, NOW, STARTED)).toBe(
        firstDueAt(id, intervalMs, through, NOW, STARTED),
      );
    }
  });

  it('leaves at least one second to spread over when loading took longer than half the interval', () => {
    for (const id of ids) {
      const due = firstDueAfterUnknownLast(id, 20_000, null, NOW, NOW - 45_000);
      expect(due).toBe(gridAfter(id, NOW));
    }
  });
});

describe('takeoverDueAt', () => {
  const id = 'svc-00042';
  const interval = 20_000;
  const ownerSlot = Date.UTC(2026, 0, 10, 12, 0, 0) + offsetOf(id); // a point of the service's grid

  it("keeps the previous owner's exact slot while it is still ahead, however late its last check started", () => {
    for (const lateness of [0, 1, 37, 999]) {
      const now = ownerSlot + lateness + 5_000;
      expect(takeoverDueAt(id, interval, ownerSlot + lateness, now)).toEqual({
        nextDueAt: ownerSlot + interval,
        resumeAt: null,
      });
    }
  });

  it("catches up at once when the owner's slot has passed, and resumes on its grid", () => {
    const now = ownerSlot + interval + 7_345;
    expect(takeoverDueAt(id, interval, ownerSlot + 12, now)).toEqual({
      nextDueAt: now,
      resumeAt: ownerSlot + interval,
    });
  });

  it('keeps the slot when it is exactly now', () => {
    expect(takeoverDueAt(id, interval, ownerSlot + 3, ownerSlot + interval)).toEqual({
      nextDueAt: ownerSlot + interval,
      resumeAt: null,
    });
  });

  it('starts a never-checked service like a boot does', () => {
    expect(takeoverDueAt(id, interval, null, NOW)).toEqual({
      nextDueAt: firstDueAt(id, interval, null, NOW),
      resumeAt: null,
    });
  });
});

describe('resumeGrid', () => {
  const interval = 20_000;
  const resumeAt = 1_000_437; // a missed slot of a grid at offset 437

  it('returns to the grid after a catch-up check: the next slot is on it', () => {
    const now = resumeAt + 2_000;
    expect(resumeGrid(resumeAt, interval, now)).toEqual({ nextDueAt: resumeAt + interval, skipped: 0 });
  });

  it('never schedules the next check closer than half an interval to the catch-up', () => {
    for (let now = resumeAt; now < resumeAt + 3 * interval; now += 997) {
      const { nextDueAt } = resumeGrid(resumeAt, interval, now);
      expect(nextDueAt - now).toBeGreaterThanOrEqual(interval / 2);
      expect(nextDueAt - now).toBeLessThanOrEqual(interval * 1.5);
      expect((nextDueAt - resumeAt) % interval).toBe(0);
    }
  });

  it('skips the grid slot that would come too soon, and counts it', () => {
    const now = resumeAt + interval - 3_000; // the next slot is 3 s away
    expect(resumeGrid(resumeAt, interval, now)).toEqual({ nextDueAt: resumeAt + 2 * interval, skipped: 1 });
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
