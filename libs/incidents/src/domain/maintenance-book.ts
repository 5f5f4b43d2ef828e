import type { MaintenanceWindow } from '@app/contracts';
import { MaintenanceCalendar } from '@app/monitoring';

/** In-memory maintenance windows (loaded and kept current by MaintenanceService): the runner asks it per check. */
export class MaintenanceBook extends MaintenanceCalendar {
  private windows: (MaintenanceWindow & { starts: number; ends: number })[] = [];
  version = 0;

  set(windows: MaintenanceWindow[]): void {
    this.windows = windows
      .map((window) => ({ ...window, starts: Date.parse(window.startsAt), ends: Date.parse(window.endsAt) }))
      .sort((a, b) => a.starts - b.starts);
    this.version += 1;
  }

  all(): MaintenanceWindow[] {
    return this.windows.map(({ starts: _s, ends: _e, ...window }) => window);
  }

  isInMaintenance(serviceId: string, at: number): boolean {
    return this.windows.some(
      (window) => window.starts <= at && at < window.ends && window.serviceIds.includes(serviceId),
    );
  }

  /** Active and future windows, soonest first. */
  upcoming(now: number): MaintenanceWindow[] {
    return this.windows.filter((window) => window.ends > now).map(({ starts: _s, ends: _e, ...window }) => window);
  }

  /** Start/end instants, so the snapshot can rebuild when a window begins or ends. */
  boundaries(): number[] {
    return this.windows.flatMap((window) => [window.starts, window.ends]);
  }
}
