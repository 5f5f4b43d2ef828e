import type { IncidentSummary, MaintenanceWindow } from '@app/contracts';

/** Port: what the incidents library contributes to the public snapshot (nothing until it is wired). */
export abstract class IncidentFeed {
  abstract activeIncidents(): IncidentSummary[];
  abstract upcomingMaintenance(now: number): MaintenanceWindow[];
  /** Bumped when incidents or maintenance change, so the snapshot knows to rebuild. */
  abstract get version(): number;
}

export class NoIncidents extends IncidentFeed {
  activeIncidents(): IncidentSummary[] {
    return [];
  }
  upcomingMaintenance(): MaintenanceWindow[] {
    return [];
  }
  get version(): number {
    return 0;
  }
}
