import { isIP } from 'node:net';
import { joinPath, validateDto, withoutPassword, type FieldError } from '@app/common';
import {
  CHECK_KINDS,
  REDACTED,
  type CheckKind,
  type HeaderAssertion,
  type ServiceDefinition,
  type ServiceSource,
} from '@app/contracts';
import type { JsonCheck } from '../probe/assertions/assertions.js';
import { parseJsonPath } from '../probe/assertions/json-path.js';
import type { TargetPolicy } from '../probe/target-policy.js';
import type { AssertionsDto } from './check-definition.dto.js';
import { parseDnsServer } from './dns-server.js';
import { formatDuration, parseDuration } from './duration.js';
import { LIMITS, parseStatusList, ServiceDefinitionDto } from './service-definition.dto.js';
import { DEFAULTS, KIND_FIELDS, type CheckSpec, type HttpCheck, type MonitoredService } from './service-definition.js';

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

/** Checks a `tcp://host:port` target: the scheme, an explicit port, nothing else, literal IPs against the policy. */
export function checkTcpUrl(
  url: string,
  policy: TargetPolicy,
  path: string,
): { host: string; port: number; errors: [] } | { errors: FieldError[] } {
  const rule = 'must be tcp://host:port (a host name or IP address and a port 1-65535, nothing else)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(url)) {
    return { errors: [{ path, value: url, rule: 'must not contain spaces, tabs, line breaks or control characters' }] };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { errors: [{ path, value: url, rule }] };
  }
  const port = Number(parsed.port);
  if (
    parsed.protocol !== 'tcp:' ||
    parsed.hostname === '' ||
    parsed.port === '' ||
    !Number.isInteger(port) ||
    port < 1 ||
    parsed.username !== '' ||
    parsed.password !== '' ||
    (parsed.pathname !== '' && parsed.pathname !== '/') ||
    parsed.search !== '' ||
    parsed.hash !== ''
  ) {
    return { errors: [{ path, value: url, rule }] };
  }
  // tcp: is not a "special" scheme, so WHATWG URL leaves its host as written ("0x7f000001" stays a name that
  // getaddrinfo would read as 127.0.0.1): normalise it as an http host is, so the policy sees the real address.
  let normalised: string;
  try {
    normalised = new URL(`http://${parsed.hostname}/`).hostname;
  } catch {
    return { errors: [{ path, value: url, rule }] };
  }
  const host = normalised.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0 && !/^[A-Za-z0-9_.-]{1,253}$/.test(host)) return { errors: [{ path, value: url, rule }] };
  const blocked = blockedLiteral(host, policy);
  if (blocked !== null) return { errors: [{ path, value: url, rule: blocked }] };
  return { host, port, errors: [] };
}

/** The error rule for a literal IP the SSRF policy refuses, null when allowed (or not a literal). */
function blockedLiteral(host: string, policy: TargetPolicy): string | null {
  if (isIP(host) === 0) return null;
  const decision = policy.check(host);
  if (decision.allowed) return null;
  return `points at a ${decision.reason.replace(/^blocked target /, 'blocked address ')}; allow it with TARGET_ALLOW_CIDRS`;
}

/** Which kinds use a field, for the "is not used by kind …" rule. */
function kindsUsing(field: string): CheckKind[] {
  return CHECK_KINDS.filter((kind) => (KIND_FIELDS[kind] as readonly string[]).includes(field));
}

const ALL_KIND_FIELDS = [...new Set(Object.values(KIND_FIELDS).flat())];

function normaliseAssertions(dto: AssertionsDto | undefined, at: (field: string) => string, errors: FieldError[]) {
  const json: JsonCheck[] = [];
  (dto?.json ?? []).forEach((assertion, index) => {
    const where = at(`assertions.json[${index}].value`);
    const numeric = ['<', '<=', '>', '>='].includes(assertion.operator);
    if (assertion.operator === 'exists' && assertion.value !== undefined)
      errors.push({ path: where, value: assertion.value, rule: 'must be left out for the operator exists' });
    else if (assertion.operator !== 'exists' && assertion.value === undefined)
      errors.push({ path: where, value: undefined, rule: `is required for the operator ${assertion.operator}` });
    else if (numeric && typeof assertion.value !== 'number')
      errors.push({
        path: where,
        value: assertion.value,
        rule: `must be a number for the operator ${assertion.operator}`,
      });
    json.push({
      path: assertion.path,
      segments: parseJsonPath(assertion.path) ?? [],
      operator: assertion.operator,
      ...(assertion.value === undefined ? {} : { value: assertion.value }),
    });
  });
  const headers: HeaderAssertion[] = (dto?.headers ?? []).map((assertion, index) => {
    const where = at(`assertions.headers[${index}].value`);
    if (assertion.operator === 'exists' && assertion.value !== undefined)
      errors.push({ path: where, value: assertion.value, rule: 'must be left out for the operator exists' });
    else if (assertion.operator !== 'exists' && assertion.value === undefined)
      errors.push({ path: where, value: undefined, rule: `is required for the operator ${assertion.operator}` });
    return {
      name: assertion.name,
      operator: assertion.operator,
      ...(assertion.value === undefined ? {} : { value: assertion.value }),
    };
  });
  return {
    contains: dto?.contains ?? [],
    notContains: dto?.notContains ?? [],
    matches: dto?.matches ?? [],
    json,
    headers,
  };
}

function normaliseHttp(
  dto: ServiceDefinitionDto,
  policy: TargetPolicy,
  at: (field: string) => string,
  errors: FieldError[],
): HttpCheck {
  if (dto.url === undefined) errors.push({ path: at('url'), value: undefined, rule: 'is required for kind http' });
  else errors.push(...checkTargetUrl(dto.url, policy, at('url')));
  const method = dto.method ?? DEFAULTS.method;
  if (dto.body !== undefined && method !== 'POST')
    errors.push({ path: at('body'), value: dto.body, rule: `is only sent with method POST (method is ${method})` });
  if (method === 'HEAD')
    for (const field of ['contains', 'notContains', 'matches', 'json'] as const)
      if (dto.assertions?.[field] !== undefined && dto.assertions[field].length > 0)
        errors.push({
          path: at(`assertions.${field}`),
          value: dto.assertions[field],
          rule: 'needs a response body: HEAD responses have none (use GET or POST)',
        });
  const headers = (dto.headers ?? []).map(({ name, value, secret }) => ({ name, value, secret: secret ?? false }));
  const seen = new Map<string, number>();
  headers.forEach(({ name }, index) => {
    const lower = name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined)
      errors.push({ path: at(`headers[${index}].name`), value: name, rule: `is already set by headers[${first}]` });
    else seen.set(lower, index);
    if (lower === 'authorization' && dto.auth !== undefined)
      errors.push({ path: at(`headers[${index}].name`), value: name, rule: 'must not be set together with auth' });
  });
  let auth: HttpCheck['auth'] = null;
  if (dto.auth) {
    const { type, username, password, token } = dto.auth;
    if (type === 'basic') {
      if (username === undefined)
        errors.push({ path: at('auth.username'), value: undefined, rule: 'is required for basic auth' });
      if (password === undefined)
        errors.push({ path: at('auth.password'), value: undefined, rule: 'is required for basic auth' });
      if (token !== undefined)
        errors.push({ path: at('auth.token'), value: REDACTED, rule: 'is only used by bearer auth' });
      auth = { type, username: username ?? '', password: password ?? '' };
    } else {
      if (token === undefined)
        errors.push({ path: at('auth.token'), value: undefined, rule: 'is required for bearer auth' });
      if (username !== undefined)
        errors.push({ path: at('auth.username'), value: username, rule: 'is only used by basic auth' });
      if (password !== undefined)
        errors.push({ path: at('auth.password'), value: REDACTED, rule: 'is only used by basic auth' });
      auth = { type, token: token ?? '' };
    }
  }
  return {
    kind: 'http',
    method,
    expectedStatus:
      dto.expectedStatus === undefined ? DEFAULTS.expectedStatus : (parseStatusList(dto.expectedStatus) ?? []),
    body: dto.body ?? null,
    headers,
    auth,
    followRedirects: dto.followRedirects ?? DEFAULTS.followRedirects,
    insecureTls: dto.insecureTls ?? DEFAULTS.insecureTls,
    assertions: normaliseAssertions(dto.assertions, at, errors),
    certExpiryWarningDays: dto.certExpiryWarningDays ?? DEFAULTS.certExpiryWarningDays,
  };
}

function normaliseCheck(
  dto: ServiceDefinitionDto,
  policy: TargetPolicy,
  at: (field: string) => string,
  errors: FieldError[],
): CheckSpec {
  const kind = dto.kind ?? DEFAULTS.kind;
  for (const field of ALL_KIND_FIELDS) {
    const value = (dto as unknown as Record<string, unknown>)[field];
    if (value === undefined || (KIND_FIELDS[kind] as readonly string[]).includes(field)) continue;
    errors.push({
      path: at(field),
      value: field === 'auth' || field === 'headers' ? REDACTED : value,
      rule: `is not used by kind ${kind} (only by ${kindsUsing(field).join(', ')})`,
    });
  }
  switch (kind) {
    case 'http':
      return normaliseHttp(dto, policy, at, errors);
    case 'tcp': {
      let host = '';
      let port = 0;
      if (dto.url === undefined) errors.push({ path: at('url'), value: undefined, rule: 'is required for kind tcp' });
      else {
        const target = checkTcpUrl(dto.url, policy, at('url'));
        if ('host' in target) ({ host, port } = target);
        else errors.push(...target.errors);
      }
      return {
        kind,
        host,
        port,
        tls: dto.tcp?.tls ?? false,
        send: dto.tcp?.send ?? null,
        expect: dto.tcp?.expect ?? null,
        insecureTls: dto.insecureTls ?? DEFAULTS.insecureTls,
        certExpiryWarningDays: dto.certExpiryWarningDays ?? DEFAULTS.certExpiryWarningDays,
      };
    }
    case 'dns': {
      if (dto.dns === undefined) errors.push({ path: at('dns'), value: undefined, rule: 'is required for kind dns' });
      const server = dto.dns?.server ?? null;
      const address = server === null ? null : parseDnsServer(server)?.address;
      const blocked = address ? blockedLiteral(address, policy) : null;
      if (blocked !== null) errors.push({ path: at('dns.server'), value: server, rule: blocked });
      return {
        kind,
        name: dto.dns?.name ?? '',
        type: dto.dns?.type ?? 'A',
        server,
        expect: dto.dns?.expect ?? [],
      };
    }
    case 'heartbeat': {
      const tokenHash = dto.heartbeat?.tokenHash;
      if (tokenHash === undefined)
        errors.push({
          path: at('heartbeat.tokenHash'),
          value: undefined,
          rule: 'is required in the services file: `npm run heartbeat-token -- <service id>` makes a token and its hash',
        });
      return {
        kind,
        graceMs:
          dto.heartbeat?.grace === undefined
            ? DEFAULTS.heartbeatGraceMs
            : (parseDuration(dto.heartbeat.grace) as number),
        tokenHash: tokenHash ?? '',
      };
    }
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** Turns a validated DTO into the normalised service the runner uses, checking cross-field rules. */
export function normaliseService(
  dto: ServiceDefinitionDto,
  policy: TargetPolicy,
  source: ServiceSource,
  path = '',
): { value: MonitoredService; errors: [] } | { value: null; errors: FieldError[] } {
  const at = (field: string) => (path === '' ? field : `${path}.${field}`);
  const errors: FieldError[] = [];
  const check = normaliseCheck(dto, policy, at, errors);
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
  const thresholds = check.kind === 'heartbeat' ? DEFAULTS.heartbeatThresholds : DEFAULTS;
  return {
    value: {
      id: dto.id,
      name: dto.name,
      group: dto.group ?? null,
      url: check.kind === 'http' || check.kind === 'tcp' ? (dto.url ?? '') : '',
      check,
      intervalMs,
      timeoutMs,
      latencyThresholdMs: dto.latencyThresholdMs ?? null,
      failureThreshold: dto.failureThreshold ?? thresholds.failureThreshold,
      recoveryThreshold: dto.recoveryThreshold ?? thresholds.recoveryThreshold,
      slo: { target: dto.slo?.target ?? DEFAULTS.slo.target, windowDays },
      degradedOpensIncident: dto.degradedOpensIncident ?? false,
      paused: dto.paused ?? false,
      source,
      definition: asWritten(dto),
    },
    errors: [],
  };
}

/** Nested objects of a definition: ValidateNested also accepts a list, which would silently mean "the default". */
const NESTED_OBJECTS: Record<string, string> = {
  slo: '{ "target": 99.9, "window": "30d" }',
  auth: '{ "type": "bearer", "token": "…" }',
  assertions: '{ "contains": ["OK"] }',
  tcp: '{ "tls": true }',
  dns: '{ "name": "www.example.com", "type": "A" }',
  heartbeat: '{ "grace": "5m" }',
};

/** Secret values never appear in an error either (errors reach logs and the admin's screen). */
function redactErrors(plain: unknown, path: string, errors: FieldError[]): FieldError[] {
  if (plain === null || typeof plain !== 'object') return errors;
  const headers = (plain as { headers?: unknown }).headers;
  const prefix = path === '' ? '' : `${path}.`;
  return errors.map((error) => {
    const relative = error.path.startsWith(prefix) ? error.path.slice(prefix.length) : error.path;
    if (/^auth(\.(password|token))?$/.test(relative) && error.value !== undefined) return { ...error, value: REDACTED };
    const header = /^headers\[(\d+)\](\.value)?$/.exec(relative);
    if (header && Array.isArray(headers)) {
      const entry = headers[Number(header[1])] as { secret?: unknown } | undefined;
      if (entry && typeof entry === 'object' && entry.secret === true && error.value !== undefined)
        return { ...error, value: header[2] ? REDACTED : { ...(error.value as object), value: REDACTED } };
    }
    return error;
  });
}

/**
 * The fields the author set, as a plain object (no DTO instances, nothing left undefined): what is stored for an API
 * service, so defaults are applied when it is read and never frozen into it. Secrets are kept (the stored form).
 */
function asWritten(dto: ServiceDefinitionDto): ServiceDefinition {
  return JSON.parse(JSON.stringify(dto)) as ServiceDefinition;
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
  const object =
    plain !== null && typeof plain === 'object' && !Array.isArray(plain) ? (plain as Record<string, unknown>) : {};
  const notObjects: FieldError[] = [];
  for (const [field, example] of Object.entries(NESTED_OBJECTS)) {
    const value = object[field];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value)))
      notObjects.push({ path: joinPath(path, field), value, rule: `must be an object such as ${example}` });
  }
  if (notObjects.length > 0) {
    const others = dto.errors.filter(
      (error) => !notObjects.some(({ path: at }) => error.path === at || error.path.startsWith(`${at}[`)),
    );
    return { value: null, errors: redactErrors(plain, path, [...notObjects, ...others]) };
  }
  if (dto.value === null) return { value: null, errors: redactErrors(plain, path, dto.errors) };
  const result = normaliseService(dto.value, policy, source, path);
  return result.value === null ? { value: null, errors: redactErrors(plain, path, result.errors) } : result;
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
