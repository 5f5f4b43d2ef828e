import { DEFAULTS, httpCheck, type MonitoredService } from '../catalog/service-definition.js';

/**
 * Test fixture: a valid, fully normalised service with the product defaults; override what a test is about.
 * Not exported from the library's index — specs import it by path.
 */
export function monitoredService(id: string, overrides: Partial<MonitoredService> = {}): MonitoredService {
  return {
    id,
    name: id.toUpperCase(),
    group: null,
    url: `https://${id}.example.com/health`,
    check: httpCheck(),
    intervalMs: DEFAULTS.intervalMs,
    timeoutMs: DEFAULTS.timeoutMs,
    latencyThresholdMs: null,
    failureThreshold: DEFAULTS.failureThreshold,
    recoveryThreshold: DEFAULTS.recoveryThreshold,
    slo: { ...DEFAULTS.slo },
    degradedOpensIncident: false,
    paused: false,
    source: 'config',
    ...overrides,
  };
}
