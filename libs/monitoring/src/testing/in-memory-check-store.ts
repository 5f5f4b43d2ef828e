import { CheckStore, type StoredCheck } from '../ports.js';

/**
 * CheckStore with the adapter's semantics: copies in and out, newest first from `recent`, oldest first from `since`.
 * It records each accepted append as a batch and can be told to refuse appends, as a DynamoDB outage would.
 */
export class InMemoryCheckStore extends CheckStore {
  readonly items: StoredCheck[] = [];
  readonly batches: StoredCheck[][] = [];
  calls = 0;
  /** Refuse the next this many appends. */
  failNext = 0;
  /** Refuse the next append holding a check with this `at` (one bad batch among parallel ones). */
  failBatchWith: number | null = null;

  append(checks: StoredCheck[]): Promise<void> {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('ProvisionedThroughputExceededException'));
    }
    if (this.failBatchWith !== null && checks.some((check) => check.at === this.failBatchWith)) {
      this.failBatchWith = null;
      return Promise.reject(new Error('one batch refused'));
    }
    const copies = checks.map((check) => ({ ...check }));
    this.batches.push(copies);
    this.items.push(...copies);
    return Promise.resolve();
  }

  recent(serviceId: string, limit: number): Promise<StoredCheck[]> {
    return Promise.resolve(this.of(serviceId).reverse().slice(0, limit));
  }

  since(serviceId: string, afterMs: number): Promise<StoredCheck[]> {
    return Promise.resolve(this.of(serviceId).filter((check) => check.at > afterMs));
  }

  private of(serviceId: string): StoredCheck[] {
    return this.items
      .filter((check) => check.serviceId === serviceId)
      .sort((a, b) => a.at - b.at)
      .map((check) => ({ ...check }));
  }
}
