import type { IncidentSummary, MaintenanceWindow } from '@app/contracts';
import { IncidentFeed } from '../status/incident-feed.js';

/** IncidentFeed a spec fills directly; `bump()` announces a change as the real one does. */
export class FakeIncidentFeed extends IncidentFeed {
  incidents: IncidentSummary[] = [];
  maintenance: MaintenanceWindow[] = [];
  private counter = 0;

  activeIncidents(): IncidentSummary[] {
    return this.incidents;
  }

  upcomingMaintenance(): MaintenanceWindow[] {
    return this.maintenance;
  }

  get version(): number {
    return this.counter;
  }

  bump(): void {
    this.counter += 1;
  }
}
