import type { IncidentSummary } from '@app/contracts';
import { ActiveIncidents } from '@app/monitoring';
import { Injectable } from '@nestjs/common';
import { toSummary, type Incident } from './incident.js';

/**
 * Every recent incident in memory: the public incident endpoints and the status snapshot read only this (no
 * database on the read path). The incident writer puts each stored change here.
 */
@Injectable()
export class IncidentCache extends ActiveIncidents {
  private readonly incidents = new Map<string, Incident>();
  private sorted: Incident[] | null = null;
  private counter = 0;

  get version(): number {
    return this.counter;
  }

  put(incident: Incident): void {
    this.incidents.set(incident.id, incident);
    this.sorted = null;
    this.counter += 1;
  }

  get(id: string): Incident | undefined {
    return this.incidents.get(id);
  }

  /** Newest first. */
  all(): Incident[] {
    this.sorted ??= [...this.incidents.values()].sort(
      (a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id),
    );
    return this.sorted;
  }

  /** The open ones, as the status page shows them. */
  list(): IncidentSummary[] {
    return this.all()
      .filter((incident) => incident.status !== 'resolved')
      .map(toSummary);
  }

  prune(olderThanIso: string): void {
    for (const [id, incident] of this.incidents) {
      if (incident.status === 'resolved' && incident.startedAt < olderThanIso) this.incidents.delete(id);
    }
    this.sorted = null;
  }
}
