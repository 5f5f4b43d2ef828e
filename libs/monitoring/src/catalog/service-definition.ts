import type { ServiceState } from '@app/contracts';

export type HttpMethod = 'GET' | 'HEAD';

/** A status range, inclusive: [200, 299]. */
export type StatusRange = readonly [number, number];

/** Where a service definition came from: the services file (read-only at run time) or the admin API. */
export type ServiceSource = 'config' | 'api';

/** A fully normalised monitored service, as the scheduler and evaluator use it. */
export interface MonitoredService {
  id: string;
  name: string;
  group: string | null;
  url: string;
  method: HttpMethod;
  intervalMs: number;
  timeoutMs: number;
  latencyThresholdMs: number | null;
  failureThreshold: number;
  recoveryThreshold: number;
  expectedStatus: StatusRange[];
  slo: { target: number; windowDays: number };
  paused: boolean;
  source: ServiceSource;
}

export const DEFAULTS = {
  method: 'GET' as HttpMethod,
  intervalMs: 30_000,
  timeoutMs: 10_000,
  failureThreshold: 3,
  recoveryThreshold: 2,
  expectedStatus: [[200, 299]] as StatusRange[],
  slo: { target: 99.9, windowDays: 30 },
};

export function isExpectedStatus(service: Pick<MonitoredService, 'expectedStatus'>, status: number): boolean {
  return service.expectedStatus.some(([low, high]) => status >= low && status <= high);
}

export type { ServiceState };
