import { Timers, type TimerHandle } from '../scheduling/timers.js';

interface Pending {
  at: number;
  callback: () => void;
  cancelled: boolean;
}

/** Timers on a clock that stands still until a spec moves it; timers due on the way fire in order, at their time. */
export class FakeTimers extends Timers {
  private readonly pending: Pending[] = [];

  constructor(private at: number) {
    super();
  }

  now(): number {
    return this.at;
  }

  after(ms: number, callback: () => void): TimerHandle {
    const timer: Pending = { at: this.at + Math.max(0, ms), callback, cancelled: false };
    this.pending.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Due times of the timers armed and not cancelled, earliest first. */
  get armed(): number[] {
    return this.live()
      .map((timer) => timer.at)
      .sort((a, b) => a - b);
  }

  /** Moves the clock to `to`, firing every timer due on the way at its own time (and those they arm). */
  advanceTo(to: number): void {
    for (;;) {
      const next = this.live()
        .filter((timer) => timer.at <= to)
        .sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.cancelled = true;
      this.at = Math.max(this.at, next.at);
      next.callback();
    }
    this.at = Math.max(this.at, to);
  }

  advance(ms: number): void {
    this.advanceTo(this.at + ms);
  }

  private live(): Pending[] {
    return this.pending.filter((timer) => !timer.cancelled);
  }
}
