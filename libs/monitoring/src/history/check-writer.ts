import type { CheckStore, StoredCheck } from '../ports.js';

export interface CheckWriterStats {
  buffered: number;
  written: number;
  dropped: number;
  /** Buffered checks of a shard that another replica took over meanwhile: its new owner checks it now. */
  superseded: number;
  failedAttempts: number;
  lastError: string | null;
  lastSuccessAt: number | null;
}

/** Where each buffered check may go when it is its turn: written, kept for later, or dropped as superseded. */
export type Admission = 'write' | 'hold' | 'drop';

export interface CheckWriterHooks {
  /** Asked per check at write time with the epoch it was taken under (default: always write). */
  admit?: (check: StoredCheck, epoch: number) => Admission;
  /**
   * Told about stored checks in the order they were enqueued (so per service in time order), even when batches
   * complete out of order or a failed one is retried later: the rollups and the change feed rely on it.
   */
  written?: (checks: StoredCheck[]) => void;
}

interface Buffered {
  check: StoredCheck;
  epoch: number;
  seq: number;
}

const HOLD_RETRY_MS = 250;

/**
 * Write-behind buffer for check results: checks never wait on the database. Batches of 25 (DynamoDB's
 * BatchWriteItem limit), retried with exponential backoff while storage is down, bounded so an outage of the
 * database can't exhaust memory (oldest results are dropped first and counted). Checks are appended without a
 * condition, so before each write the lease decides: a replica that cannot confirm its lease holds them, and
 * checks of a shard it has lost are dropped rather than written next to its new owner's.
 */
export class CheckWriter {
  private buffer: Buffered[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** The appends of the round in flight (admitted before it started). */
  private writing: Promise<unknown> | null = null;
  private stopped = false;
  private backoffMs = 0;
  private nextSeq = 0;
  /** Resolved checks not yet reported to `written`, by enqueue number (null: dropped, nothing to report). */
  private readonly resolved = new Map<number, StoredCheck | null>();
  private reportedUpTo = 0;
  readonly stats: CheckWriterStats = {
    buffered: 0,
    written: 0,
    dropped: 0,
    superseded: 0,
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
    private readonly hooks: CheckWriterHooks = {},
  ) {}

  enqueue(check: StoredCheck, epoch = 0): void {
    this.buffer.push({ check, epoch, seq: this.nextSeq });
    this.nextSeq += 1;
    if (this.buffer.length > this.options.capacity) {
      const excess = this.buffer.length - this.options.capacity;
      for (const entry of this.buffer.splice(0, excess)) this.resolved.set(entry.seq, null);
      this.stats.dropped += excess;
      this.report();
    }
    this.stats.buffered = this.buffer.length;
    this.schedule(this.options.debounceMs);
  }

  /** Writes everything buffered now (used at shutdown and by tests); held checks stay buffered. */
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

  /**
   * Resolves once the appends already sent are answered. What is admitted after this call is decided then, so a
   * caller that first revoked admission knows nothing it revoked can still reach storage.
   */
  async settled(): Promise<void> {
    await this.writing;
  }

  /** No timed flush any more (shutdown: the last flush was explicit); a late check stays buffered, unwritten. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.flushing || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.buffer.length > 0) this.schedule(this.backoffMs || this.options.debounceMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  /** One round of parallel batches; false when nothing could be written (storage failed, or all held). */
  private async writeSome(): Promise<boolean> {
    const take = this.buffer.splice(0, this.options.batchSize * this.options.parallelBatches);
    const admitted: Buffered[] = [];
    const held: Buffered[] = [];
    for (const entry of take) {
      const admission = this.hooks.admit?.(entry.check, entry.epoch) ?? 'write';
      if (admission === 'write') admitted.push(entry);
      else if (admission === 'hold') held.push(entry);
      else {
        this.stats.superseded += 1;
        this.resolved.set(entry.seq, null);
      }
    }
    const batches: Buffered[][] = [];
    for (let index = 0; index < admitted.length; index += this.options.batchSize)
      batches.push(admitted.slice(index, index + this.options.batchSize));
    const writing = Promise.allSettled(batches.map((batch) => this.store.append(batch.map((entry) => entry.check))));
    this.writing = writing;
    const results = await writing;
    if (this.writing === writing) this.writing = null;
    const failed: Buffered[] = [];
    results.forEach((result, index) => {
      const batch = batches[index] ?? [];
      if (result.status === 'fulfilled') {
        this.stats.written += batch.length;
        this.stats.lastSuccessAt = Date.now();
        for (const entry of batch) this.resolved.set(entry.seq, entry.check);
      } else {
        failed.push(...batch);
        this.stats.failedAttempts += 1;
        this.stats.lastError = result.reason instanceof Error ? result.reason.message : String(result.reason);
      }
    });
    // Back in front, in their original order: what failed or waits for the lease is written before newer checks.
    const back = [...failed, ...held].sort((a, b) => a.seq - b.seq);
    if (back.length > 0) this.buffer.unshift(...back);
    this.report();
    if (failed.length > 0) {
      this.backoffMs = Math.min(this.options.maxBackoffMs, Math.max(500, this.backoffMs * 2));
    } else if (held.length > 0 && admitted.length === 0) {
      this.backoffMs = HOLD_RETRY_MS;
    } else {
      this.backoffMs = 0;
    }
    this.stats.buffered = this.buffer.length;
    return failed.length === 0 && (admitted.length > 0 || held.length === 0);
  }

  /** Reports, in enqueue order, every resolved check before the oldest one still buffered. */
  private report(): void {
    const limit = this.buffer[0]?.seq ?? this.nextSeq;
    const stored: StoredCheck[] = [];
    while (this.reportedUpTo < limit && this.resolved.has(this.reportedUpTo)) {
      const check = this.resolved.get(this.reportedUpTo);
      this.resolved.delete(this.reportedUpTo);
      if (check) stored.push(check);
      this.reportedUpTo += 1;
    }
    if (stored.length > 0) this.hooks.written?.(stored);
  }
}
