/** How many writes one turn of the event loop starts (each costs the SDK ~0.1–0.5 ms of synchronous work). */
export const WRITES_PER_TURN = 16;

/**
 * How many writes of one writer may be in flight at once. The SDK's HTTP agent has 50 sockets and fails a request
 * that waits longer than its connection timeout (3 s) for one: 10,000 rollup writes started at once (a shutdown,
 * midnight) against the embedded store failed by the thousand and starved the lease heartbeat.
 */
export const WRITES_IN_FLIGHT = 16;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A count of writes in flight shared by every `inTurns` call of one writer; a caller waits for a free place. */
export class InFlightLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number = WRITES_IN_FLIGHT) {}

  get inFlight(): number {
    return this.running;
  }

  /** Resolves once a place is taken for the caller (at once when one is free). */
  acquire(): Promise<void> | undefined {
    if (this.running < this.max) {
      this.running += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives a place back: to the longest waiting caller, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

/**
 * Calls `start` for each item, at most `perTurn` of them per turn of the event loop and, with a `limit`, at most
 * `limit.max` in flight (shared with the writer's other calls), and settles when every call has settled (never
 * rejects: `start` handles its own failures). Between two turns the timers run, so a burst of writes — a second's
 * state changes after a restart, every service's rollup of the day before at midnight — never holds up a check that
 * is due meanwhile. `start` runs later for the later items: it must check again whether there is still something
 * to do.
 */
export async function inTurns<T>(
  items: Iterable<T>,
  start: (item: T) => Promise<unknown> | undefined,
  perTurn = WRITES_PER_TURN,
  limit?: InFlightLimit,
): Promise<void> {
  const started: Promise<unknown>[] = [];
  let inThisTurn = 0;
  for (const item of items) {
    if (inThisTurn === perTurn) {
      await nextTurn();
      inThisTurn = 0;
    }
    const place = limit?.acquire();
    if (place) {
      await place;
      // A write ended to free the place: a later turn.
      inThisTurn = 0;
    }
    const write = start(item);
    if (write === undefined) {
      limit?.release();
      continue;
    }
    inThisTurn += 1;
    started.push(limit ? write.finally(() => limit.release()) : write);
  }
  await Promise.all(started);
}
