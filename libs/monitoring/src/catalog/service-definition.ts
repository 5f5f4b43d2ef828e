import {
  SERVICE_DEFAULTS,
  type HttpMethod,
  type ResolvedServiceDefinition,
  type ServiceDefinition,
  type ServiceSource,
} from '@app/contracts';
import { formatDuration, parseDuration } from './duration.js';

/** A status range, inclusive: [200, 299]. */
export type StatusRange = readonly [number, number];

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
  /**
   * The definition exactly as the file or the admin wrote it (defaults not filled in): what is stored and what PATCH
   * merges into, so a default (the timeout follows the interval) keeps applying until someone sets the field.
   * Absent on services built directly in code (tests); definitionInput then makes every default explicit.
   */
  definition?: ServiceDefinition;
}

/** SERVICE_DEFAULTS (@app/contracts, which the console reads too) in the units the runner uses. */
export const DEFAULTS = {
  method: SERVICE_DEFAULTS.method as HttpMethod,
  intervalMs: parseDuration(SERVICE_DEFAULTS.interval) as number,
  timeoutMs: parseDuration(SERVICE_DEFAULTS.timeoutCeiling) as number,
  failureThreshold: SERVICE_DEFAULTS.failureThreshold,
  recoveryThreshold: SERVICE_DEFAULTS.recoveryThreshold,
  expectedStatus: [[200, 299]] as StatusRange[],
  slo: {
    target: SERVICE_DEFAULTS.slo.target,
    windowDays: (parseDuration(SERVICE_DEFAULTS.slo.window) as number) / 86_400_000,
  },
};

/** Which optional fields a definition leaves to their defaults. */
export function defaultedFields(definition: ServiceDefinition): (keyof ServiceDefinition)[] {
  const optional: (keyof ServiceDefinition)[] = [
    'group',
    'method',
    'interval',
    'timeout',
    'latencyThresholdMs',
    'failureThreshold',
    'recoveryThreshold',
    'expectedStatus',
    'slo',
    'degradedOpensIncident',
    'paused',
  ];
  return optional.filter((field) => definition[field] === undefined);
}

export function isExpectedStatus(service: Pick<MonitoredService, 'expectedStatus'>, status: number): boolean {
  return service.expectedStatus.some(([low, high]) => status >= low && status <= high);
}

/** The file/API form of a normalised service (defaults made explicit): what GET returns and PATCH merges into. */
export function toDefinition(service: MonitoredService): ResolvedServiceDefinition {
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

/**
 * The definition as its author sent it: what the catalog stores and what PATCH merges into, so a stored service is
 * read back through the same validation as a new one and defaults are applied when it is read, never frozen into it.
 */
export function definitionInput(service: MonitoredService): ServiceDefinition {
  if (service.definition !== undefined) return service.definition;
  const { group, latencyThresholdMs, ...rest } = toDefinition(service);
  return {
    ...rest,
    ...(group === null ? {} : { group }),
    ...(latencyThresholdMs === null ? {} : { latencyThresholdMs }),
  };
}

/**
 * Stored items written before definitions were stored in their input form held the normalised service
 * (intervalMs, windowDays, status ranges as pairs). Renames what it can; whatever does not fit is left for the
 * validation to report.
 */
export function upgradeStoredDefinition(plain: unknown): unknown {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain) || !('intervalMs' in plain)) return plain;
  const {
    intervalMs,
    timeoutMs,
    expectedStatus,
    slo,
    group,
    latencyThresholdMs,
    source: _source,
    ...rest
  } = plain as Record<string, unknown>;
  const duration = (ms: unknown) => (typeof ms === 'number' ? formatDuration(ms) : ms);
  const upgraded: Record<string, unknown> = { ...rest, interval: duration(intervalMs) };
  if (timeoutMs !== undefined) upgraded.timeout = duration(timeoutMs);
  if (group !== null && group !== undefined) upgraded.group = group;
  if (latencyThresholdMs !== null && latencyThresholdMs !== undefined) upgraded.latencyThresholdMs = latencyThresholdMs;
  if (Array.isArray(expectedStatus))
    upgraded.expectedStatus = (expectedStatus as unknown[]).map((range) => {
      if (!Array.isArray(range) || range.length !== 2) return range;
      const [low, high] = range as [unknown, unknown];
      return low === high ? low : `${String(low)}-${String(high)}`;
    });
  else if (expectedStatus !== undefined) upgraded.expectedStatus = expectedStatus;
  if (slo !== null && typeof slo === 'object' && 'windowDays' in slo) {
    const { windowDays, ...sloRest } = slo as Record<string, unknown>;
    upgraded.slo = { ...sloRest, window: typeof windowDays === 'number' ? `${windowDays}d` : windowDays };
  } else if (slo !== undefined) upgraded.slo = slo;
  return upgraded;
}
