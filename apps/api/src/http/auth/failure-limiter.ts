/**
 * Counts failed authentication attempts per key (client IP) in a sliding window and blocks a key that exceeds
 * the limit for a while. In-process and bounded: idle keys are swept, and at most `maxKeys` are tracked (the
 * oldest are evicted first), so a flood of spoofed sources can't grow memory without bound.
 *
 * Why not @nestjs/throttler: its 6.x build is CommonJS and `require`s the ESM-only @nestjs/common 12, which Jest's
 * module runtime cannot load; this is the ~40 lines of it we need.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, { hits: number[]; blockedUntil: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly blockMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it is not blocked. */
  blockedFor(key: string, now = Date.now()): number {
    const entry = this.failures.get(key);
    return entry && entry.blockedUntil > now ? entry.blockedUntil - now : 0;
  }

  /** Records a failure; returns the block duration in ms when this failure crossed the limit, else 0. */
  fail(key: string, now = Date.now()): number {
    let entry = this.failures.get(key);
    if (!entry) {
      if (this.failures.size >= this.maxKeys) this.sweep(now);
      entry = { hits: [], blockedUntil: 0 };
      this.failures.set(key, entry);
    }
    entry.hits = entry.hits.filter((at) => now - at < this.windowMs);
    entry.hits.push(now);
    if (entry.hits.length > this.limit) {
      entry.blockedUntil = now + this.blockMs;
      entry.hits = [];
      return this.blockMs;
    }
    return 0;
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.failures) {
      if (entry.blockedUntil <= now && entry.hits.every((at) => now - at >= this.windowMs)) this.failures.delete(key);
    }
    while (this.failures.size >= this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }
}
