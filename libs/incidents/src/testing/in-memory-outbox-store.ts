import type { NotificationChannel } from '../notify/notifier.js';
import { OutboxStore, type OutboxItem } from '../ports.js';

export type StoredOutboxItem = OutboxItem & { leaseUntil: number | null };

/** OutboxStore with the adapter's lease semantics (conditional on the lease, sparse "pending" listing). */
export class InMemoryOutboxStore extends OutboxStore {
  readonly items = new Map<string, StoredOutboxItem>();

  enqueue(item: OutboxItem): Promise<boolean> {
    if (this.items.has(item.id)) return Promise.resolve(false);
    this.items.set(item.id, { ...structuredClone(item), status: 'pending', leaseUntil: null });
    return Promise.resolve(true);
  }

  due(now: number, limit: number, channel?: NotificationChannel): Promise<OutboxItem[]> {
    return Promise.resolve(
      [...this.items.values()]
        .filter(
          (item) =>
            item.status === 'pending' && item.dueAt <= now && (channel === undefined || item.channel === channel),
        )
        .sort((a, b) => a.dueAt - b.dueAt)
        .slice(0, limit)
        .map(({ leaseUntil: _lease, ...item }) => structuredClone(item)),
    );
  }

  pendingCount(channel: NotificationChannel): Promise<number> {
    return Promise.resolve(
      [...this.items.values()].filter((item) => item.status === 'pending' && item.channel === channel).length,
    );
  }

  claim(id: string, leaseUntil: number, now: number): Promise<boolean> {
    const item = this.items.get(id);
    if (!item || item.status !== 'pending' || (item.leaseUntil !== null && item.leaseUntil >= now))
      return Promise.resolve(false);
    item.leaseUntil = leaseUntil;
    return Promise.resolve(true);
  }

  markSent(id: string, leaseUntil: number, now: number): Promise<boolean> {
    const item = this.items.get(id);
    if (!item || item.leaseUntil !== leaseUntil) return Promise.resolve(false);
    Object.assign(item, { status: 'sent', sentAt: now, leaseUntil: null });
    return Promise.resolve(true);
  }

  reschedule(
    id: string,
    leaseUntil: number,
    update: { dueAt: number; attempts: number; error: string; giveUp: boolean },
  ): Promise<void> {
    const item = this.items.get(id);
    if (!item || item.leaseUntil !== leaseUntil) return Promise.resolve();
    item.attempts = update.attempts;
    item.lastError = update.error;
    item.leaseUntil = null;
    if (update.giveUp) item.status = 'failed';
    else item.dueAt = update.dueAt;
    return Promise.resolve();
  }

  /** A copy of one item as stored (lease included), or undefined. */
  item(id: string): StoredOutboxItem | undefined {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }

  ids(): string[] {
    return [...this.items.keys()].sort();
  }

  idsOf(incidentId: string): string[] {
    return this.ids().filter((id) => id.startsWith(`${incidentId}#`));
  }
}
