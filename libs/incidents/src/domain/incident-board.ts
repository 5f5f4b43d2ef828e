import type { IncidentSummary, MaintenanceWindow } from '@app/contracts';
import { IncidentFeed, MaintenanceCalendar } from '@app/monitoring';
import { Inject, Injectable } from '@nestjs/common';
import { toSummary, type Incident } from './incident.js';
import type { MaintenanceBook } from './maintenance-book.js';

/**
 * Every recent incident in memory: the public incident endpoints and the status snapshot read only this (no
 * database on the read path). IncidentService writes through to it after each stored change.
 */
@Injectable()
export class IncidentBoard extends IncidentFeed {
  private readonly incidents = new Map<string, Incident>();
  private sorted: Incident[] | null = null;
  private counter = 0;
  private lastMaintenanceVersion = -1;

  constructor(@Inject(MaintenanceCalendar) private readonly maintenance: MaintenanceBook) {
    super();
  }

  get version(): number {
    // Maintenance changes show on the status page too.
    if (this.maintenance.version !== this.lastMaintenanceVersion) {
      this.lastMaintenanceVersion = this.maintenance.version;
      this.counter += 1;
    }
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

  activeIncidents(): IncidentSummary[] {
    return this.all()
      .filter((incident) => incident.status !== 'resolved')
      .map(toSummary);
  }

  upcomingMaintenance(now: number): MaintenanceWindow[] {
    return this.maintenance.upcoming(now);
  }

  prune(olderThanIso: string): void {
    for (const [id, incident] of this.incidents) {
      if (incident.status === 'resolved' && incident.startedAt < olderThanIso) this.incidents.delete(id);
    }
    this.sorted = null;
  }
}
