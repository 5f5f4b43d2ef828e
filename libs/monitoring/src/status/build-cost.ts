/** How many of the last builds the estimate looks at. */
const WINDOW = 9;
/** Builds are spaced by this many times their cost: at most ~5 % of a core goes to rebuilding the status document. */
const SPACING_FACTOR = 20;
/** ...and never closer than this (a finished check shows within about this long plus the scheduler's tick). */
const MIN_SPACING_MS = 200;

/**
 * What a status rebuild costs: the median duration (wall clock) of the last nine builds. The rebuild rate follows
 * it. It used to follow the last build alone, and one slow build — a garbage collection, or another process on
 * the core in the middle of it (2,000 services, three replicas and their store on two cores: 7 ms typical, one in
 * ten over 25 ms, up to 108 ms) — held the next rebuild back for 20 × its duration: over 2 s in which that
 * replica's page showed no new check. The median ignores such builds (they measure the host's contention, not
 * the build's work) and follows a lasting change, such as a catalog ten times larger, within five builds.
 */
export class BuildCost {
  private readonly recent: number[] = [];

  record(durationMs: number): void {
    this.recent.push(durationMs);
    if (this.recent.length > WINDOW) this.recent.shift();
  }

  /** The expected duration of the next build (0 before the first). */
  get expectedMs(): number {
    if (this.recent.length === 0) return 0;
    const sorted = [...this.recent].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  }

  /** How long after a build the next may start. */
  get spacingMs(): number {
    return Math.max(MIN_SPACING_MS, SPACING_FACTOR * this.expectedMs);
  }
}
