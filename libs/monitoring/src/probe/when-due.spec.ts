import { jest } from '@jest/globals';
import { whenDue } from './when-due.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

describe('whenDue', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts at once what is already due, and waits for what is ahead', () => {
    const started: number[] = [];
    expect(whenDue(T0, () => started.push(Date.now())).pending).toBe(false);
    const ahead = whenDue(T0 + 300, () => started.push(Date.now()));
    expect(ahead.pending).toBe(true);
    jest.advanceTimersByTime(299);
    expect(started).toEqual([T0]);
    jest.advanceTimersByTime(1);
    expect(started).toEqual([T0, T0 + 300]);
    expect(ahead.pending).toBe(false);
  });

  it('never starts before the due time when the timer fires early (the clock ran behind the timer)', () => {
    const started: number[] = [];
    whenDue(T0 + 100, () => started.push(Date.now()));
    jest.setSystemTime(T0 - 5); // the loop's time was 5 ms ahead of the clock when the timer was armed
    jest.advanceTimersByTime(100);
    expect(started).toEqual([]);
    jest.advanceTimersByTime(5);
    expect(started).toEqual([T0 + 100]);
  });

  it('can be called off until it starts, not after', () => {
    const started: number[] = [];
    const wait = whenDue(T0 + 100, () => started.push(Date.now()));
    expect(wait.cancel()).toBe(true);
    jest.advanceTimersByTime(1000);
    expect(started).toEqual([]);
    const done = whenDue(T0 + 1100, () => started.push(Date.now()));
    jest.advanceTimersByTime(100);
    expect(done.cancel()).toBe(false);
    expect(started).toEqual([T0 + 1100]);
  });
});
