import { MaintenanceCalendar } from '../ports.js';

/** Every service in `ids` is in maintenance, at any time. */
export class FixedMaintenance extends MaintenanceCalendar {
  readonly ids = new Set<string>();

  isInMaintenance(serviceId: string): boolean {
    return this.ids.has(serviceId);
  }
}
