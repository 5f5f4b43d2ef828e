/** The time source of code that measures elapsed time (leases, backoff), so its specs move time instead of sleeping. */
export abstract class Clock {
  abstract now(): number;
}

export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}
