import { Injectable } from '@nestjs/common';
import type { MaintenanceWindow } from '@app/contracts';

/**
 * Every current and future maintenance window, in memory: the runner asks it per check, the status snapshot lists
 * the upcoming ones. The incidents library loads it at boot and keeps it current as admins change windows.
 */
@Injectable()
export class MaintenanceCache {
  private windows: (MaintenanceWindow & { starts: number; ends: number })[] = [];
  /** Bumped on every change, so the snapshot knows to rebuild. */
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
}
