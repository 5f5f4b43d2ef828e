import { InFlightLimit, inTurns } from './in-turns.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('inTurns', () => {
  it('starts at most `perTurn` items per turn of the event loop, and lets a due timer run in between', async () => {
    const started: number[] = [];
    const seenByTimer: number[] = [];
    const finishers: (() => void)[] = [];
    const done = inTurns(
      Array.from({ length: 10 }, (_, index) => index),
      (item) => {
        started.push(item);
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
      4,
    );
    setTimeout(() => seenByTimer.push(started.length), 0);
    expect(started).toEqual([0, 1, 2, 3]); // the first turn, synchronously
    await nextTurn();
    await nextTurn();
    expect(started.length).toBeGreaterThanOrEqual(8);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The timer ran before the last items were started: they did not hold it up.
    expect(seenByTimer[0]).toBeLessThan(10);
    let settled = false;
    void done.then(() => (settled = true));
    finishers.slice(0, 9).forEach((finish) => finish());
    await nextTurn();
    expect(settled).toBe(false); // settles only when every started call has
    finishers[9]!();
    await done;
  });

  it('does not count the items `start` skips against the turn', async () => {
    const started: number[] = [];
    const done = inTurns(
      [1, 2, 3, 4, 5, 6],
      (item) => (item % 2 === 0 ? undefined : (started.push(item), Promise.resolve())),
      3,
    );
    expect(started).toEqual([1, 3, 5]); // three started: one turn
    await done;
  });

  it('keeps at most `limit.max` writes in flight, over every call sharing the limit', async () => {
    const limit = new InFlightLimit(3);
    let running = 0;
    let most = 0;
    const finishers: (() => void)[] = [];
    const start = () => {
      running += 1;
      most = Math.max(most, running);
      return new Promise<void>((resolve) =>
        finishers.push(() => {
          running -= 1;
          resolve();
        }),
      );
    };
    const first = inTurns([1, 2, 3, 4, 5], start, 16, limit);
    const second = inTurns([6, 7, 8], start, 16, limit);
    for (let turn = 0; turn < 3; turn += 1) await nextTurn();
    expect(running).toBe(3); // not 8: the rest wait for a place
    expect(limit.inFlight).toBe(3);
    while (finishers.length > 0) {
      finishers.shift()!();
      for (let turn = 0; turn < 2; turn += 1) await nextTurn();
    }
    await Promise.all([first, second]);
    expect(most).toBe(3);
    expect(limit.inFlight).toBe(0);
  });

  it('gives the place of an item `start` skips back at once', async () => {
    const limit = new InFlightLimit(1);
    const started: number[] = [];
    await inTurns([1, 2, 3], (item) => (item === 2 ? undefined : (started.push(item), Promise.resolve())), 16, limit);
    expect(started).toEqual([1, 3]);
    expect(limit.inFlight).toBe(0);
  });
});
