import type { Page } from '@app/contracts';
import { AuditLog, type AuditRecord } from '../audit.js';

/** AuditLog keeping copies of the records, newest first when listed like the adapter. */
export class InMemoryAuditLog extends AuditLog {
  readonly records: AuditRecord[] = [];

  record(entry: AuditRecord): Promise<void> {
    this.records.push(structuredClone(entry));
    return Promise.resolve();
  }

  list(limit: number): Promise<Page<AuditRecord & { id: string }>> {
    const items = this.records.map((record, index) => ({ ...record, id: String(index) })).reverse();
    return Promise.resolve({ items: items.slice(0, limit), nextCursor: null });
  }
}
