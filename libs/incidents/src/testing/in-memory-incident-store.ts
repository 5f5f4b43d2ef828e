import type { MaintenanceWindow } from '@app/contracts';
import type { Incident, OpenLock } from '../domain/incident.js';
import { IncidentStore } from '../ports.js';

/** Yields once, so concurrent callers of a fake interleave the way network round trips do. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/** IncidentStore with the DynamoDB adapter's semantics: conditional writes, copies in and out, two round trips
 * (conditional put, then consistent read) when the open lock is already taken. */
export class InMemoryIncidentStore extends IncidentStore {
  readonly locks = new Map<string, OpenLock>();
  readonly incidents = new Map<string, Incident>();
  readonly windows = new Map<string, MaintenanceWindow>();
  /** Runs between the failed conditional write and the read of the existing lock (a race window in AWS). */
  betweenLockWriteAndRead: (() => void) | null = null;

  async acquireOpenLock(lock: OpenLock): Promise<OpenLock | null> {
    await roundTrip();
    if (!this.locks.has(lock.serviceId)) {
      this.locks.set(lock.serviceId, { ...lock });
      return null;
    }
    this.betweenLockWriteAndRead?.();
    await roundTrip();
    const existing = this.locks.get(lock.serviceId);
    // Same as the adapter: released between the write and the read → reported taken with an empty incident id.
    return existing ? { ...existing } : { ...lock, incidentId: '' };
  }

  async releaseOpenLock(serviceId: string, incidentId: string): Promise<void> {
    await roundTrip();
    if (this.locks.get(serviceId)?.incidentId === incidentId) this.locks.delete(serviceId);
  }

  async getOpenLock(serviceId: string): Promise<OpenLock | null> {
    await roundTrip();
    const lock = this.locks.get(serviceId);
    return lock ? { ...lock } : null;
  }

  listOpenLocks(): Promise<OpenLock[]> {
    return Promise.resolve([...this.locks.values()].map((lock) => ({ ...lock })));
  }

  async createIncident(incident: Incident): Promise<boolean> {
    await roundTrip();
    if (this.incidents.has(incident.id)) return false;
    this.incidents.set(incident.id, structuredClone(incident));
    return true;
  }

  async updateIncident(incident: Incident, expectedVersion: number): Promise<boolean> {
    await roundTrip();
    if (this.incidents.get(incident.id)?.version !== expectedVersion) return false;
    this.incidents.set(incident.id, structuredClone(incident));
    return true;
  }

  async getIncident(id: string): Promise<Incident | null> {
    await roundTrip();
    const stored = this.incidents.get(id);
    return stored ? structuredClone(stored) : null;
  }

  listIncidentsSince(fromIso: string): Promise<Incident[]> {
    return Promise.resolve(
      [...this.incidents.values()]
        .filter((incident) => incident.startedAt >= fromIso)
        .sort((a, b) => `${b.startedAt}#${b.id}`.localeCompare(`${a.startedAt}#${a.id}`))
        .map((incident) => structuredClone(incident)),
    );
  }

  putMaintenance(window: MaintenanceWindow): Promise<void> {
    this.windows.set(window.id, structuredClone(window));
    return Promise.resolve();
  }

  deleteMaintenance(id: string): Promise<boolean> {
    return Promise.resolve(this.windows.delete(id));
  }

  listMaintenance(endsAfterIso: string): Promise<MaintenanceWindow[]> {
    return Promise.resolve([...this.windows.values()].filter((window) => window.endsAt >= endsAfterIso));
  }
}
