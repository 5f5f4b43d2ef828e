import type { CheckStore, StoredCheck } from '../ports.js';

export interface CheckWriterStats {
  buffered: number;
  written: number;
  dropped: number;
  failedAttempts: number;
  lastError: string | null;
  lastSuccessAt: number | null;
}

/**
 * Write-behind buffer for check results: checks never wait on the database. Batches of 25 (DynamoDB's
 * BatchWriteItem limit), retried with exponential backoff while storage is down, bounded so an outage of the
 * database can't exhaust memory (oldest results are dropped first and counted).
 */
export class CheckWriter {
  private buffer: StoredCheck[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private backoffMs = 0;
  readonly stats: CheckWriterStats = {
    buffered: 0,
    written: 0,
    dropped: 0,
    failedAttempts: 0,
    lastError: null,
    lastSuccessAt: null,
  };

  constructor(
    private readonly store: CheckStore,
    private readonly options = {
      batchSize: 25,
      parallelBatches: 4,
      debounceMs: 50,
      capacity: 100_000,
      maxBackoffMs: 30_000,
    },
  ) {}

  enqueue(check: StoredCheck): void {
    this.buffer.push(check);
    if (this.buffer.length > this.options.capacity) {
      const excess = this.buffer.length - this.options.capacity;
      this.buffer.splice(0, excess);
      this.stats.dropped += excess;
    }
    this.stats.buffered = this.buffer.length;
    this.schedule(this.options.debounceMs);
  }

  /** Writes everything buffered now (used at shutdown and by tests). */
  async flush(): Promise<void> {
    if (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.flushing = (async () => {
      while (this.buffer.length > 0 && (await this.writeSome())) {
        /* keep writing while storage accepts */
      }
    })().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.buffer.length > 0) this.schedule(this.backoffMs || this.options.debounceMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async writeSome(): Promise<boolean> {
    const take = this.buffer.splice(0, this.options.batchSize * this.options.parallelBatches);
    const batches: StoredCheck[][] = [];
    for (let index = 0; index < take.length; index += this.options.batchSize)
      batches.push(take.slice(index, index + this.options.batchSize));
    const results = await Promise.allSettled(batches.map((batch) => this.store.append(batch)));
    const failed: StoredCheck[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        this.stats.written += batches[index]?.length ?? 0;
        this.stats.lastSuccessAt = Date.now();
      } else {
        failed.push(...(batches[index] ?? []));
        this.stats.failedAttempts += 1;
        this.stats.lastError = result.reason instanceof Error ? result.reason.message : String(result.reason);
      }
    });
    if (failed.length > 0) {
      this.buffer.unshift(...failed);
      this.backoffMs = Math.min(this.options.maxBackoffMs, Math.max(500, this.backoffMs * 2));
    } else {
      this.backoffMs = 0;
    }
    this.stats.buffered = this.buffer.length;
    return failed.length === 0;
  }
}
