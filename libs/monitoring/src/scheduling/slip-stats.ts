/** Rolling sample of schedule slip (actual start − due time) for p50/p99 without unbounded memory. */
export class SlipStats {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  private maxMs = 0;
  dispatched = 0;
  skippedSlots = 0;

  constructor(capacity = 10_000) {
    this.samples = new Float64Array(capacity);
  }

  record(slipMs: number): void {
    this.samples[this.next] = slipMs;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
    this.maxMs = Math.max(this.maxMs, slipMs);
    this.dispatched += 1;
  }

  summary(): {
    samples: number;
    p50Ms: number | null;
    p99Ms: number | null;
    maxMs: number;
    dispatched: number;
    skippedSlots: number;
  } {
    if (this.count === 0)
      return {
        samples: 0,
        p50Ms: null,
        p99Ms: null,
        maxMs: 0,
        dispatched: this.dispatched,
        skippedSlots: this.skippedSlots,
      };
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return {
      samples: this.count,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: this.maxMs,
      dispatched: this.dispatched,
      skippedSlots: this.skippedSlots,
    };
  }
}
