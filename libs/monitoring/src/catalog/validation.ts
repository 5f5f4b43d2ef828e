import { isIP } from 'node:net';
import { joinPath, validateDto, withoutPassword, type FieldError } from '@app/common';
import type { TargetPolicy } from '../probe/target-policy.js';
import { formatDuration, parseDuration } from './duration.js';
import { LIMITS, parseStatusList, ServiceDefinitionDto } from './service-definition.dto.js';
import type { ServiceDefinition, ServiceSource } from '@app/contracts';
import { DEFAULTS, type MonitoredService } from './service-definition.js';

/** Checks the URL beyond its type: scheme, no credentials, literal IPs against the SSRF policy. */
export function checkTargetUrl(rawUrl: string, policy: TargetPolicy, path: string): FieldError[] {
  // An error names the URL, but never a password embedded in it.
  const url = withoutPassword(rawUrl);
  // WHATWG parsing silently drops tabs and line breaks and trims spaces, so "https://exa\tmple.com/" would be
  // stored as one URL and probed as another: refuse anything the parser would rewrite that way.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(rawUrl)) {
    return [{ path, value: url, rule: 'must not contain spaces, tabs, line breaks or control characters' }];
  }
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    return [{ path, value: url, rule: 'must be an absolute http:// or https:// URL' }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return [{ path, value: url, rule: 'must use http or https' }];
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return [{ path, value: url, rule: 'must not embed credentials' }];
  }
  // WHATWG URL has already normalised 0xA9FEA9FE, 2852039166 and 0251.0376.0251.0376 to 169.254.169.254.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const decision = policy.check(host);
    if (!decision.allowed) {
      return [
        {
          path,
          value: url,
          rule: `points at a ${decision.reason.replace(/^blocked target /, 'blocked address ')}; allow it with TARGET_ALLOW_CIDRS`,
        },
      ];
    }
  }
  return [];
}

/** Turns a validated DTO into the normalised service the runner uses, checking cross-field rules. */
export function normaliseService(
  dto: ServiceDefinitionDto,
  policy: TargetPolicy,
  source: ServiceSource,
  path = '',
): { value: MonitoredService; errors: [] } | { value: null; errors: FieldError[] } {
  const at = (field: string) => (path === '' ? field : `${path}.${field}`);
  const errors = checkTargetUrl(dto.url, policy, at('url'));
  const intervalMs = dto.interval === undefined ? DEFAULTS.intervalMs : (parseDuration(dto.interval) as number);
  const defaultTimeout = Math.min(DEFAULTS.timeoutMs, Math.max(LIMITS.timeoutMs.min, intervalMs - 1000));
  const timeoutMs = dto.timeout === undefined ? defaultTimeout : (parseDuration(dto.timeout) as number);
  if (timeoutMs >= intervalMs) {
    errors.push({
      path: at('timeout'),
      value: dto.timeout,
      rule: `must be shorter than the interval (${dto.interval ?? formatDuration(DEFAULTS.intervalMs)})`,
    });
  }
  if (dto.latencyThresholdMs !== undefined && dto.latencyThresholdMs >= timeoutMs) {
    errors.push({
      path: at('latencyThresholdMs'),
      value: dto.latencyThresholdMs,
      rule: `must be below the timeout (${timeoutMs}ms)`,
    });
  }
  if (errors.length > 0) return { value: null, errors };
  const windowDays =
    dto.slo?.window === undefined ? DEFAULTS.slo.windowDays : (parseDuration(dto.slo.window) as number) / 86_400_000;
  return {
    value: {
      id: dto.id,
      name: dto.name,
      group: dto.group ?? null,
      url: dto.url,
      method: dto.method ?? DEFAULTS.method,
      intervalMs,
      timeoutMs,
      latencyThresholdMs: dto.latencyThresholdMs ?? null,
      failureThreshold: dto.failureThreshold ?? DEFAULTS.failureThreshold,
      recoveryThreshold: dto.recoveryThreshold ?? DEFAULTS.recoveryThreshold,
      expectedStatus:
        dto.expectedStatus === undefined ? DEFAULTS.expectedStatus : (parseStatusList(dto.expectedStatus) ?? []),
      slo: { target: dto.slo?.target ?? DEFAULTS.slo.target, windowDays },
      degradedOpensIncident: dto.degradedOpensIncident ?? false,
      paused: dto.paused ?? false,
      source,
      definition: asWritten(dto),
    },
    errors: [],
  };
}

/** The fields the author set, in a plain object (no DTO instances): what is stored for an API service. */
function asWritten(dto: ServiceDefinitionDto): ServiceDefinition {
  const definition: ServiceDefinition = { id: dto.id, name: dto.name, url: dto.url };
  if (dto.group !== undefined) definition.group = dto.group;
  if (dto.method !== undefined) definition.method = dto.method;
  if (dto.interval !== undefined) definition.interval = dto.interval;
  if (dto.timeout !== undefined) definition.timeout = dto.timeout;
  if (dto.latencyThresholdMs !== undefined) definition.latencyThresholdMs = dto.latencyThresholdMs;
  if (dto.failureThreshold !== undefined) definition.failureThreshold = dto.failureThreshold;
  if (dto.recoveryThreshold !== undefined) definition.recoveryThreshold = dto.recoveryThreshold;
  if (dto.expectedStatus !== undefined) definition.expectedStatus = [...dto.expectedStatus];
  if (dto.slo !== undefined)
    definition.slo =
      dto.slo.window === undefined ? { target: dto.slo.target } : { target: dto.slo.target, window: dto.slo.window };
  if (dto.degradedOpensIncident !== undefined) definition.degradedOpensIncident = dto.degradedOpensIncident;
  if (dto.paused !== undefined) definition.paused = dto.paused;
  return definition;
}

/** Validates one service definition from any door (file, admin API, the stored catalog). */
export function parseServiceDefinition(
  plain: unknown,
  policy: TargetPolicy,
  source: ServiceSource,
  path = '',
  whole?: string,
): { value: MonitoredService; errors: [] } | { value: null; errors: FieldError[] } {
  const dto = validateDto(ServiceDefinitionDto, plain, path, whole);
  // ValidateNested also accepts a list, so `slo: []` or `slo: [{...}]` would silently mean "the default SLO".
  const slo = plain !== null && typeof plain === 'object' ? (plain as { slo?: unknown }).slo : undefined;
  if (slo !== undefined && slo !== null && (typeof slo !== 'object' || Array.isArray(slo))) {
    const at = joinPath(path, 'slo');
    const others = dto.errors.filter((error) => error.path !== at && !error.path.startsWith(`${at}[`));
    return {
      value: null,
      errors: [
        { path: at, value: slo, rule: 'must be an object such as { "target": 99.9, "window": "30d" }' },
        ...others,
      ],
    };
  }
  if (dto.value === null) return dto;
  return normaliseService(dto.value, policy, source, path);
}

/** Validates a whole services file (already parsed from YAML), reporting every problem in every entry. */
export function parseServicesFile(
  plain: unknown,
  policy: TargetPolicy,
): { value: MonitoredService[]; errors: [] } | { value: null; errors: FieldError[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return {
      value: null,
      errors: [{ path: '(file)', value: plain, rule: 'must be a mapping with a "services" list' }],
    };
  }
  // `page` (branding) is the app's to validate; the services are this library's.
  const errors: FieldError[] = Object.keys(plain)
    .filter((key) => key !== 'services' && key !== 'page')
    .map((key) => ({
      path: key,
      value: (plain as Record<string, unknown>)[key],
      rule: 'is not a known field (allowed: services, page)',
    }));
  const list = (plain as { services?: unknown }).services ?? [];
  if (!Array.isArray(list))
    return { value: null, errors: [...errors, { path: 'services', value: list, rule: 'must be a list of services' }] };
  if (list.length > 20_000)
    return {
      value: null,
      errors: [...errors, { path: 'services', value: list.length, rule: 'must hold at most 20000 services' }],
    };
  const services: MonitoredService[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const path = `services[${index}]`;
    const result = parseServiceDefinition(entry, policy, 'config', path);
    if (result.value === null) return void errors.push(...result.errors);
    const first = seen.get(result.value.id);
    if (first !== undefined)
      return void errors.push({
        path: `${path}.id`,
        value: result.value.id,
        rule: `is already used by services[${first}]`,
      });
    seen.set(result.value.id, index);
    services.push(result.value);
  });
  return errors.length > 0 ? { value: null, errors } : { value: services, errors: [] };
}
