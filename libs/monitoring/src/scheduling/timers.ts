/** A one-shot timer that can be cancelled. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The clock and one-shot timers of the dispatch timer, so its specs move time instead of sleeping (FakeTimers in
 * `testing/`).
 */
export abstract class Timers {
  abstract now(): number;
  abstract after(ms: number, callback: () => void): TimerHandle;
}

/** setTimeout's longest delay; a longer one fires at once (Node clamps it to 1 ms). */
const LONGEST_DELAY_MS = 2 ** 31 - 1;

export class SystemTimers extends Timers {
  now(): number {
    return Date.now();
  }

  after(ms: number, callback: () => void): TimerHandle {
    // A due time further away than setTimeout can wait: wake up early, the owner re-arms.
    const timer = setTimeout(callback, Math.min(Math.max(0, ms), LONGEST_DELAY_MS));
    // The HTTP server keeps the process alive, not a check due in an hour.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}
