import { SERVICE_DEFAULTS, type ServiceDetail, type ServiceStatus, type StatusDefaults } from '@app/contracts';

/** The defaults /api/status names once, so its services can leave them out. */
export const STATUS_DEFAULTS: StatusDefaults = {
  slo: { target: SERVICE_DEFAULTS.slo.target, window: SERVICE_DEFAULTS.slo.window },
};

/**
 * A service as /api/status lists it: what the overview shows, defaults left out. Every visitor polls this document
 * for every service, so each field here costs bytes × services × visitors; the rest stays in `detail`, served by
 * /api/services/:id.
 */
export function toServiceStatus(detail: ServiceDetail, defaults: StatusDefaults = STATUS_DEFAULTS): ServiceStatus {
  const { lastCheck, slo } = detail;
  return {
    id: detail.id,
    name: detail.name,
    ...(detail.group === null ? {} : { group: detail.group }),
    state: detail.state,
    ...(detail.paused ? { paused: true as const } : {}),
    lastCheck:
      lastCheck === null
        ? null
        : {
            ok: lastCheck.ok,
            latencyMs: lastCheck.latencyMs,
            ...(lastCheck.error === undefined ? {} : { error: lastCheck.error }),
            ...(lastCheck.reason === undefined ? {} : { reason: lastCheck.reason }),
          },
    uptime: { '30d': detail.uptime['30d'], '90d': detail.uptime['90d'] },
    ...(slo.target === defaults.slo.target && slo.window === defaults.slo.window
      ? {}
      : { slo: { target: slo.target, window: slo.window } }),
    errorBudgetRemaining: slo.errorBudgetRemaining,
    ...(detail.stale ? { stale: true as const } : {}),
  };
}
