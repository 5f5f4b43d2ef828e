import { FakeTimers } from '../testing/fake-timers.js';
import { DueTimer } from './due-timer.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

describe('DueTimer', () => {
  let timers: FakeTimers;
  let fired: { items: string[]; now: number }[];
  let gone: Set<string>;
  let timer: DueTimer<string>;

  beforeEach(() => {
    timers = new FakeTimers(T0);
    fired = [];
    gone = new Set();
    timer = new DueTimer(
      timers,
      (item) => !gone.has(item),
      (items, now) => fired.push({ items, now }),
    );
  });

  it('arms one timer, for the earliest due time, and hands each item over at its own millisecond', () => {
    timer.start();
    timer.schedule('c', T0 + 900);
    timer.schedule('a', T0 + 437);
    timer.schedule('b', T0 + 438);
    expect(timers.armed).toEqual([T0 + 437]);
    timers.advanceTo(T0 + 1000);
    expect(fired).toEqual([
      { items: ['a'], now: T0 + 437 },
      { items: ['b'], now: T0 + 438 },
      { items: ['c'], now: T0 + 900 },
    ]);
    expect(timers.armed).toEqual([]);
  });

  it('with a lead, hands each item over that long before its due time', () => {
    const early = new DueTimer<string>(
      timers,
      () => true,
      (items, now) => fired.push({ items, now }),
      300,
    );
    early.start();
    early.schedule('a', T0 + 1000);
    early.schedule('b', T0 + 1100);
    expect(timers.armed).toEqual([T0 + 700]);
    expect(early.armedAt).toBe(T0 + 1000);
    timers.advanceTo(T0 + 799);
    expect(fired).toEqual([{ items: ['a'], now: T0 + 700 }]);
    timers.advanceTo(T0 + 2000);
    expect(fired).toEqual([
      { items: ['a'], now: T0 + 700 },
      { items: ['b'], now: T0 + 800 },
    ]);
  });

  it('re-arms for an earlier item scheduled later, and after each hand-over for the next', () => {
    timer.start();
    timer.schedule('late', T0 + 800);
    expect(timer.armedAt).toBe(T0 + 800);
    timer.schedule('early', T0 + 100);
    expect(timers.armed).toEqual([T0 + 100]);
    timers.advanceTo(T0 + 100);
    expect(fired.map((entry) => entry.items)).toEqual([['early']]);
    expect(timers.armed).toEqual([T0 + 800]);
    timer.schedule('early', T0 + 1100); // its next slot, after the dispatch
    expect(timers.armed).toEqual([T0 + 800]);
  });

  it('hands over together the items due at the same millisecond', () => {
    timer.start();
    for (const item of ['x', 'y', 'z']) timer.schedule(item, T0 + 250);
    timers.advanceTo(T0 + 250);
    expect(fired.map((entry) => entry.now)).toEqual([T0 + 250]);
    expect(fired[0]?.items.sort()).toEqual(['x', 'y', 'z']);
  });

  it('fires nothing before it is started, then hands over what is already due at once', () => {
    timer.schedule('a', T0 + 10);
    timers.advanceTo(T0 + 500);
    expect(fired).toEqual([]);
    expect(timers.armed).toEqual([]);
    timer.start();
    expect(timers.armed).toEqual([T0 + 500]); // overdue: right away
    timers.advanceTo(T0 + 500);
    expect(fired).toEqual([{ items: ['a'], now: T0 + 500 }]);
  });

  it('cancels the timer on stop and fires nothing after it, even for items scheduled later', () => {
    timer.start();
    timer.schedule('a', T0 + 100);
    timer.stop();
    expect(timers.armed).toEqual([]);
    timer.schedule('b', T0 + 200);
    timer.start();
    timers.advanceTo(T0 + 10_000);
    expect(fired).toEqual([]);
    expect(timer.size).toBe(0);
  });

  it('skips an item that is no longer current, and re-arms past it when told', () => {
    timer.start();
    timer.schedule('removed', T0 + 100);
    timer.schedule('kept', T0 + 300);
    gone.add('removed');
    timer.arm();
    expect(timers.armed).toEqual([T0 + 300]);
    timers.advanceTo(T0 + 1000);
    expect(fired.map((entry) => entry.items)).toEqual([['kept']]);
  });

  it('skips an item that stopped being current while its timer was armed', () => {
    timer.start();
    timer.schedule('handed-over', T0 + 100);
    timer.schedule('kept', T0 + 100);
    gone.add('handed-over');
    timers.advanceTo(T0 + 100);
    expect(fired).toEqual([{ items: ['kept'], now: T0 + 100 }]);
  });

  it('cancels the timer when the last item stops being current', () => {
    timer.start();
    timer.schedule('only', T0 + 100);
    gone.add('only');
    timer.arm();
    expect(timers.armed).toEqual([]);
  });

  it('hands a rescheduled item over once, at its newest due time only', () => {
    timer.start();
    timer.schedule('edited', T0 + 100);
    timer.schedule('edited', T0 + 700);
    timer.schedule('edited', T0 + 700); // already there: nothing new
    expect(timer.size).toBe(2);
    timers.advanceTo(T0 + 1000);
    expect(fired).toEqual([{ items: ['edited'], now: T0 + 700 }]);
  });

  it('can schedule an item again after it was skipped as not current', () => {
    timer.start();
    timer.schedule('paused', T0 + 100);
    gone.add('paused');
    timers.advanceTo(T0 + 100);
    gone.delete('paused');
    timer.schedule('paused', T0 + 100);
    timers.advanceTo(T0 + 100);
    expect(fired).toEqual([{ items: ['paused'], now: T0 + 100 }]);
  });

  it('keeps the heap bounded when items are rescheduled over and over', () => {
    timer.start();
    for (let round = 0; round < 1000; round += 1) timer.schedule('busy', T0 + 10_000 + round);
    expect(timer.size).toBeLessThanOrEqual(2 + 64);
    timers.advanceTo(T0 + 20_000);
    expect(fired).toEqual([{ items: ['busy'], now: T0 + 10_999 }]);
  });

  it('keeps items in due order across many pushes and pops', () => {
    timer.start();
    const dues = Array.from({ length: 500 }, (_, index) => T0 + ((index * 7919) % 1000));
    dues.forEach((at, index) => timer.schedule(`s${index}`, at));
    timers.advanceTo(T0 + 1000);
    const times = fired.map((entry) => entry.now);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(fired.flatMap((entry) => entry.items)).toHaveLength(500);
  });
});
