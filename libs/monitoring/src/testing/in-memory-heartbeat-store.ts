import { HeartbeatStore, type HeartbeatPing, type HeartbeatRecord } from '../ports.js';

/** HeartbeatStore with the adapter's semantics: a ping counts only with the current token hash. */
export class InMemoryHeartbeatStore extends HeartbeatStore {
  readonly records = new Map<string, HeartbeatRecord>();
  reads = 0;

  setToken(serviceId: string, tokenHash: string, now: number): Promise<void> {
    const existing = this.records.get(serviceId);
    this.records.set(
      serviceId,
      existing
        ? { ...existing, tokenHash }
        : { tokenHash, createdAt: now, lastPingAt: null, lastStatus: null, lastMessage: null },
    );
    return Promise.resolve();
  }

  recordPing(serviceId: string, tokenHash: string, ping: HeartbeatPing): Promise<boolean> {
    const existing = this.records.get(serviceId);
    if (!existing || existing.tokenHash !== tokenHash) return Promise.resolve(false);
    this.records.set(serviceId, {
      ...existing,
      lastPingAt: ping.at,
      lastStatus: ping.status,
      lastMessage: ping.message,
    });
    return Promise.resolve(true);
  }

  get(serviceId: string): Promise<HeartbeatRecord | null> {
    this.reads += 1;
    const record = this.records.get(serviceId);
    return Promise.resolve(record ? { ...record } : null);
  }
}
