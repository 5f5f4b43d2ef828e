import { jest } from '@jest/globals';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { COMPACT_WINDOW_MS, HeapCompactor, type MajorGcObserver } from './heap-compactor.js';

/** A major-GC observer the spec drives by hand. */
function fakeGcs(): { observe: MajorGcObserver; collect: (startTime: number) => void; stopped: () => boolean } {
  let listener: ((startTime: number) => void) | null = null;
  let stopped = false;
  return {
    observe: (collected) => {
      listener = collected;
      return () => {
        stopped = true;
        listener = null;
      };
    },
    collect: (startTime) => listener?.(startTime),
    stopped: () => stopped,
  };
}

describe('HeapCompactor', () => {
  afterEach(() => jest.useRealTimers());

  it("turns compaction on once per period, and off after the main thread's next full collection", () => {
    jest.useFakeTimers();
    const flags: string[] = [];
    const gcs = fakeGcs();
    let now = 0;
    const compactor = new HeapCompactor(
      60_000,
      (flag) => flags.push(flag),
      gcs.observe,
      () => now,
    );
    compactor.start();
    gcs.collect(10);
    expect(flags).toEqual([]);
    now = 60_000;
    jest.advanceTimersByTime(60_000);
    expect(flags).toEqual(['--compact-on-every-full-gc']);
    // An entry of a collection that ran before the flag went on (delivered late) does not count.
    gcs.collect(59_990);
    expect(flags).toEqual(['--compact-on-every-full-gc']);
    gcs.collect(61_500);
    expect(flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']);
    expect(compactor.compactions).toBe(1);
    gcs.collect(62_000);
    expect(compactor.compactions).toBe(1);
    now = 120_000;
    jest.advanceTimersByTime(60_000);
    expect(flags.filter((flag) => flag === '--compact-on-every-full-gc')).toHaveLength(2);
    compactor.stop();
    expect(flags.at(-1)).toBe('--no-compact-on-every-full-gc');
    expect(gcs.stopped()).toBe(true);
    jest.advanceTimersByTime(600_000);
    expect(flags).toHaveLength(4);
  });

  it('turns it off again when no full collection comes within the window (an idle process)', () => {
    jest.useFakeTimers();
    const flags: string[] = [];
    const compactor = new HeapCompactor(
      30_000,
      (flag) => flags.push(flag),
      fakeGcs().observe,
      () => 0,
    );
    compactor.start();
    jest.advanceTimersByTime(30_000 + COMPACT_WINDOW_MS - 1);
    expect(flags).toEqual(['--compact-on-every-full-gc']);
    jest.advanceTimersByTime(1);
    expect(flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']);
    expect(compactor.compactions).toBe(0);
    compactor.stop();
    expect(flags).toHaveLength(2);
  });

  it('does nothing when off (0)', () => {
    jest.useFakeTimers();
    const flags: string[] = [];
    const gcs = fakeGcs();
    const compactor = new HeapCompactor(0, (flag) => flags.push(flag), gcs.observe);
    compactor.start();
    jest.advanceTimersByTime(3_600_000);
    gcs.collect(1);
    compactor.stop();
    expect(flags).toEqual([]);
  });

  it("gives a fragmented heap's empty room back in this Node, with V8's flag and perf_hooks' gc entries", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const oldSpace = () => {
      const space = getHeapSpaceStatistics().find((entry) => entry.space_name === 'old_space');
      return { used: space?.space_used_size ?? 0, committed: space?.physical_space_size ?? 0 };
    };
    // ~45 MB of small objects of which every other one survives: each page half empty, too full for V8 to choose it
    // for evacuation by its own measure (it takes pages at least ~70 % free).
    const fragment = (): object[] => {
      let all: object[] | null = Array.from({ length: 600_000 }, (_, index) => ({ index, text: String(index) }));
      gc();
      const kept = all.filter((_, index) => index % 2 === 0);
      all = null;
      gc();
      return kept;
    };
    const waitFor = async (done: () => boolean) => {
      for (let attempt = 0; attempt < 200 && !done(); attempt += 1) await new Promise((r) => setTimeout(r, 10));
    };
    const kept: object[][] = [fragment()];
    const before = oldSpace();
    const compactor = new HeapCompactor(50);
    compactor.start();
    try {
      // Once the period turned the flag on, the next full collection compacts.
      await new Promise((r) => setTimeout(r, 120));
      gc();
      await waitFor(() => compactor.compactions === 1);
      expect(compactor.compactions).toBe(1);
      const after = oldSpace();
      expect(before.committed - before.used).toBeGreaterThan(12 * 2 ** 20);
      expect(after.committed - after.used).toBeLessThan((before.committed - before.used) / 3);
      compactor.stop();
      // Off again: the same fragmentation is left as V8 leaves it.
      kept.push(fragment());
      gc();
      await new Promise((r) => setTimeout(r, 50));
      expect(compactor.compactions).toBe(1);
      expect(oldSpace().committed - oldSpace().used).toBeGreaterThan(12 * 2 ** 20);
      expect(kept).toHaveLength(2);
    } finally {
      compactor.stop();
    }
  });
});
