/** How many writes one turn of the event loop starts (each costs the SDK ~0.1–0.5 ms of synchronous work). */
export const WRITES_PER_TURN = 16;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Calls `start` for each item, at most `perTurn` of them per turn of the event loop, and settles when every call has
 * settled (never rejects: `start` handles its own failures). Between two turns the timers run, so a burst of writes
 * — a second's state changes after a restart, every service's rollup of the day before at midnight — never holds up
 * a check that is due meanwhile. `start` runs later for the later items: it must check again whether there is
 * still something to do.
 */
export async function inTurns<T>(
  items: Iterable<T>,
  start: (item: T) => Promise<unknown> | undefined,
  perTurn = WRITES_PER_TURN,
): Promise<void> {
  const started: Promise<unknown>[] = [];
  let inThisTurn = 0;
  for (const item of items) {
    if (inThisTurn === perTurn) {
      await nextTurn();
      inThisTurn = 0;
    }
    const write = start(item);
    if (write !== undefined) {
      started.push(write);
      inThisTurn += 1;
    }
  }
  await Promise.all(started);
}
