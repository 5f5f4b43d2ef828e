import {
  REDACTED,
  SERVICE_DEFAULTS,
  type AssertionsDefinition,
  type CheckKind,
  type DnsRecordType,
  type HttpAuthDefinition,
  type HttpHeaderDefinition,
  type HttpMethod,
  type ResolvedServiceDefinition,
  type ServiceDefinition,
  type ServiceSource,
} from '@app/contracts';
import { NO_ASSERTIONS, type ResponseAssertions } from '../probe/assertions/assertions.js';
import { formatDuration, parseDuration } from './duration.js';

/** A status range, inclusive: [200, 299]. */
export type StatusRange = readonly [number, number];

/** An HTTP(S) check, normalised: every option explicit. */
export interface HttpCheck {
  kind: 'http';
  method: HttpMethod;
  expectedStatus: StatusRange[];
  body: string | null;
  headers: Required<HttpHeaderDefinition>[];
  auth: { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string } | null;
  followRedirects: boolean;
  insecureTls: boolean;
  assertions: ResponseAssertions;
  certExpiryWarningDays: number;
}

/** A TCP check (`tcp://host:port`). */
export interface TcpCheck {
  kind: 'tcp';
  host: string;
  port: number;
  tls: boolean;
  send: string | null;
  expect: string | null;
  insecureTls: boolean;
  certExpiryWarningDays: number;
}

/** A DNS check. */
export interface DnsCheck {
  kind: 'dns';
  name: string;
  type: DnsRecordType;
  /** As written ("9.9.9.9:5353"), null for the system resolver. */
  server: string | null;
  expect: string[];
}

/** A heartbeat (push) check: pings arrive at /api/heartbeat/<token>; the runner reads the last one. */
export interface HeartbeatCheck {
  kind: 'heartbeat';
  graceMs: number;
  tokenHash: string;
}

export type CheckSpec = HttpCheck | TcpCheck | DnsCheck | HeartbeatCheck;

/** A fully normalised monitored service, as the scheduler and evaluator use it. */
export interface MonitoredService {
  id: string;
  name: string;
  group: string | null;
  /** The http(s):// or tcp:// URL checked; empty for dns and heartbeat services. */
  url: string;
  check: CheckSpec;
  intervalMs: number;
  timeoutMs: number;
  latencyThresholdMs: number | null;
  failureThreshold: number;
  recoveryThreshold: number;
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
  kind: 'http' as CheckKind,
  method: SERVICE_DEFAULTS.method as HttpMethod,
  intervalMs: parseDuration(SERVICE_DEFAULTS.interval) as number,
  timeoutMs: parseDuration(SERVICE_DEFAULTS.timeoutCeiling) as number,
  failureThreshold: SERVICE_DEFAULTS.failureThreshold,
  recoveryThreshold: SERVICE_DEFAULTS.recoveryThreshold,
  heartbeatThresholds: {
    failureThreshold: SERVICE_DEFAULTS.heartbeat.failureThreshold,
    recoveryThreshold: SERVICE_DEFAULTS.heartbeat.recoveryThreshold,
  },
  expectedStatus: [[200, 299]] as StatusRange[],
  slo: {
    target: SERVICE_DEFAULTS.slo.target,
    windowDays: (parseDuration(SERVICE_DEFAULTS.slo.window) as number) / 86_400_000,
  },
  followRedirects: SERVICE_DEFAULTS.followRedirects as boolean,
  insecureTls: SERVICE_DEFAULTS.insecureTls as boolean,
  certExpiryWarningDays: SERVICE_DEFAULTS.certExpiryWarningDays as number,
  heartbeatGraceMs: parseDuration(SERVICE_DEFAULTS.heartbeat.grace) as number,
};

/**
 * Which definition fields belong to which kind (the common ones — id, name, interval, thresholds, slo … — apply to
 * all). One table for the validation ("is not used by kind dns") and the OpenAPI variants.
 */
export const KIND_FIELDS = {
  http: [
    'url',
    'method',
    'body',
    'headers',
    'auth',
    'followRedirects',
    'insecureTls',
    'assertions',
    'certExpiryWarningDays',
    'expectedStatus',
  ],
  tcp: ['url', 'tcp', 'insecureTls', 'certExpiryWarningDays'],
  dns: ['dns'],
  heartbeat: ['heartbeat'],
} as const satisfies Record<CheckKind, readonly (keyof ServiceDefinition)[]>;

/** Optional fields with a default, common to every kind. */
const COMMON_DEFAULTED: (keyof ServiceDefinition)[] = [
  'kind',
  'group',
  'interval',
  'timeout',
  'latencyThresholdMs',
  'failureThreshold',
  'recoveryThreshold',
  'slo',
  'degradedOpensIncident',
  'paused',
];
/** Optional fields with a default, by kind (required or default-less ones such as `dns` or `body` are not listed). */
const KIND_DEFAULTED: Record<CheckKind, (keyof ServiceDefinition)[]> = {
  http: ['method', 'expectedStatus', 'followRedirects', 'insecureTls', 'certExpiryWarningDays'],
  tcp: ['insecureTls', 'certExpiryWarningDays'],
  dns: [],
  heartbeat: [],
};

/** Which optional fields a definition leaves to their defaults. */
export function defaultedFields(definition: ServiceDefinition): (keyof ServiceDefinition)[] {
  const optional = [...COMMON_DEFAULTED, ...KIND_DEFAULTED[definition.kind ?? DEFAULTS.kind]];
  return optional.filter((field) => definition[field] === undefined);
}

/** A default HTTP check (GET, 2xx, strict TLS, no assertions): fixtures and tests start from it. */
export function httpCheck(overrides: Partial<Omit<HttpCheck, 'kind'>> = {}): HttpCheck {
  return {
    kind: 'http',
    method: DEFAULTS.method,
    expectedStatus: DEFAULTS.expectedStatus,
    body: null,
    headers: [],
    auth: null,
    followRedirects: DEFAULTS.followRedirects,
    insecureTls: DEFAULTS.insecureTls,
    assertions: NO_ASSERTIONS,
    certExpiryWarningDays: DEFAULTS.certExpiryWarningDays,
    ...overrides,
  };
}

/** A default TCP check (plain TCP, nothing sent or expected): fixtures and tests start from it. */
export function tcpCheck(host: string, port: number, overrides: Partial<Omit<TcpCheck, 'kind'>> = {}): TcpCheck {
  return {
    kind: 'tcp',
    host,
    port,
    tls: false,
    send: null,
    expect: null,
    insecureTls: DEFAULTS.insecureTls,
    certExpiryWarningDays: DEFAULTS.certExpiryWarningDays,
    ...overrides,
  };
}

export function isExpectedStatus(check: Pick<HttpCheck, 'expectedStatus'>, status: number): boolean {
  return check.expectedStatus.some(([low, high]) => status >= low && status <= high);
}

function assertionsDefinition(assertions: ResponseAssertions): AssertionsDefinition | undefined {
  const out: AssertionsDefinition = {};
  if (assertions.contains.length > 0) out.contains = [...assertions.contains];
  if (assertions.notContains.length > 0) out.notContains = [...assertions.notContains];
  if (assertions.matches.length > 0) out.matches = [...assertions.matches];
  if (assertions.json.length > 0)
    out.json = assertions.json.map(({ path, operator, value }) => ({
      path,
      operator,
      ...(value === undefined ? {} : { value }),
    }));
  if (assertions.headers.length > 0) out.headers = assertions.headers.map((header) => ({ ...header }));
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * The definition with every default explicit. `reveal` keeps secrets (what is stored and merged into); without it
 * they are replaced by REDACTED (what answers, logs and the audit log show) and the heartbeat token hash is left out.
 */
function resolved(service: MonitoredService, reveal: boolean): ResolvedServiceDefinition & { tokenHash?: string } {
  const common = {
    id: service.id,
    name: service.name,
    group: service.group,
    kind: service.check.kind,
    interval: formatDuration(service.intervalMs),
    timeout: formatDuration(service.timeoutMs),
    latencyThresholdMs: service.latencyThresholdMs,
    failureThreshold: service.failureThreshold,
    recoveryThreshold: service.recoveryThreshold,
    slo: { target: service.slo.target, window: `${service.slo.windowDays}d` },
    degradedOpensIncident: service.degradedOpensIncident,
    paused: service.paused,
  };
  const check = service.check;
  switch (check.kind) {
    case 'http': {
      const headers: HttpHeaderDefinition[] = check.headers.map(({ name, value, secret }) => ({
        name,
        value: secret && !reveal ? REDACTED : value,
        ...(secret ? { secret } : {}),
      }));
      let auth: HttpAuthDefinition | undefined;
      if (check.auth?.type === 'basic')
        auth = { type: 'basic', username: check.auth.username, password: reveal ? check.auth.password : REDACTED };
      else if (check.auth?.type === 'bearer') auth = { type: 'bearer', token: reveal ? check.auth.token : REDACTED };
      const assertions = assertionsDefinition(check.assertions);
      return {
        ...common,
        url: service.url,
        method: check.method,
        ...(check.body === null ? {} : { body: check.body }),
        ...(headers.length === 0 ? {} : { headers }),
        ...(auth === undefined ? {} : { auth }),
        followRedirects: check.followRedirects,
        insecureTls: check.insecureTls,
        ...(assertions === undefined ? {} : { assertions }),
        certExpiryWarningDays: check.certExpiryWarningDays,
        expectedStatus: check.expectedStatus.map(([low, high]) => (low === high ? low : `${low}-${high}`)),
      };
    }
    case 'tcp':
      return {
        ...common,
        url: service.url,
        tcp: {
          tls: check.tls,
          ...(check.send === null ? {} : { send: check.send }),
          ...(check.expect === null ? {} : { expect: check.expect }),
        },
        insecureTls: check.insecureTls,
        certExpiryWarningDays: check.certExpiryWarningDays,
      };
    case 'dns':
      return {
        ...common,
        dns: {
          name: check.name,
          type: check.type,
          ...(check.server === null ? {} : { server: check.server }),
          ...(check.expect.length === 0 ? {} : { expect: [...check.expect] }),
        },
      };
    case 'heartbeat':
      return {
        ...common,
        heartbeat: { grace: formatDuration(check.graceMs) },
        ...(reveal ? { tokenHash: check.tokenHash } : {}),
      };
    default: {
      const unreachable: never = check;
      return unreachable;
    }
  }
}

/** The file/API form of a normalised service (defaults explicit, secrets redacted): what GET returns and the audit log keeps. */
export function toDefinition(service: MonitoredService): ResolvedServiceDefinition {
  return resolved(service, false);
}

/**
 * The definition as its author sent it (secrets kept): what the catalog stores and what PATCH merges into, so a
 * stored service is read back through the same validation as a new one and defaults are applied when it is read,
 * never frozen into it. Services built in code (tests) get every default explicit.
 */
export function definitionInput(service: MonitoredService): ServiceDefinition {
  if (service.definition !== undefined) return service.definition;
  const { group, latencyThresholdMs, tokenHash, ...rest } = resolved(service, true);
  const definition: ServiceDefinition = {
    ...rest,
    ...(group === null ? {} : { group }),
    ...(latencyThresholdMs === null ? {} : { latencyThresholdMs }),
  };
  if (definition.heartbeat && tokenHash !== undefined) definition.heartbeat = { ...definition.heartbeat, tokenHash };
  return definition;
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
