import type { MaintenanceWindow } from '@app/contracts';

/** A maintenance window of `serviceIds` from `startsAt` to `endsAt` (epoch ms). */
export function maintenanceWindow(
  serviceIds: string[],
  startsAt: number,
  endsAt: number,
  overrides: Partial<MaintenanceWindow> = {},
): MaintenanceWindow {
  return {
    id: `mnt-${serviceIds.join('-')}-${startsAt}`,
    title: 'Database upgrade',
    serviceIds,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    message: 'Checkout may be unavailable.',
    ...overrides,
  };
}
