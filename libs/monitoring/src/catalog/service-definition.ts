import type { ServiceState } from '@app/contracts';
import { formatDuration } from './duration.js';

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
  /** Open a minor incident when degraded (not only when down). */
  degradedOpensIncident: boolean;
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

/** The file/API form of a normalised service (defaults made explicit): what GET returns and PATCH merges into. */
export function toDefinition(service: MonitoredService): Required<
  Omit<ServiceDefinitionShape, 'group' | 'latencyThresholdMs'>
> & {
  group: string | null;
  latencyThresholdMs: number | null;
} {
  return {
    id: service.id,
    name: service.name,
    group: service.group,
    url: service.url,
    method: service.method,
    interval: formatDuration(service.intervalMs),
    timeout: formatDuration(service.timeoutMs),
    latencyThresholdMs: service.latencyThresholdMs,
    failureThreshold: service.failureThreshold,
    recoveryThreshold: service.recoveryThreshold,
    expectedStatus: service.expectedStatus.map(([low, high]) => (low === high ? low : `${low}-${high}`)),
    slo: { target: service.slo.target, window: `${service.slo.windowDays}d` },
    degradedOpensIncident: service.degradedOpensIncident,
    paused: service.paused,
  };
}

interface ServiceDefinitionShape {
  id: string;
  name: string;
  group?: string;
  url: string;
  method?: HttpMethod;
  interval?: string;
  timeout?: string;
  latencyThresholdMs?: number;
  failureThreshold?: number;
  recoveryThreshold?: number;
  expectedStatus?: (number | string)[];
  slo?: { target: number; window: string };
  degradedOpensIncident?: boolean;
  paused?: boolean;
}
