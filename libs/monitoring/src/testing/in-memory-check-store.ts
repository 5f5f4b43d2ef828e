import { CheckStore, type StoredCheck } from '../ports.js';

/** CheckStore with the adapter's semantics: copies in and out, newest first from `recent`, oldest first from `since`. */
export class InMemoryCheckStore extends CheckStore {
  readonly items: StoredCheck[] = [];

  append(checks: StoredCheck[]): Promise<void> {
    this.items.push(...checks.map((check) => ({ ...check })));
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
