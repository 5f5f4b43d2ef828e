/** A wait for a due time that can be called off until it ends. */
export interface DueWait {
  /** Still waiting (the work has not started). */
  readonly pending: boolean;
  /** Calls the wait off; false when it already ended (the work has started). */
  cancel(): boolean;
}

/**
 * Runs `start` at `at` (epoch ms), never before: a timer counts from the event loop's cached time, which can lag
 * the clock by a few ms on a loaded machine, so a timer that fires early waits again for the rest. A takeover
 * derives the next owner's slot from when the last check started, assuming it was not before its grid point.
 */
export function whenDue(at: number, start: () => void): DueWait {
  let timer: NodeJS.Timeout | null = null;
  const wait = () => {
    const delay = at - Date.now();
    if (delay > 0) {
      timer = setTimeout(wait, delay);
      return;
    }
    timer = null;
    start();
  };
  wait();
  return {
    get pending() {
      return timer !== null;
    },
    cancel: () => {
      if (timer === null) return false;
      clearTimeout(timer);
      timer = null;
      return true;
    },
  };
}
