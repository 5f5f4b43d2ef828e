import { Clock } from '../clock.js';

/** A clock that stands still until a spec moves it. */
export class FakeClock extends Clock {
  constructor(private at = Date.UTC(2026, 0, 10, 12)) {
    super();
  }

  now(): number {
    return this.at;
  }

  advance(ms: number): number {
    this.at += ms;
    return this.at;
  }
}
