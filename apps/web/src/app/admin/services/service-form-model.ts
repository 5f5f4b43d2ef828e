import { SERVICE_DEFAULTS, type AdminService, type HttpMethod, type ServiceDefinition } from '@app/contracts';
import type { FieldProblem } from '../api/admin-api';

/** The form as typed: text for everything the admin types, so nothing is coerced before the API judges it. */
export interface ServiceFormValue {
  id: string;
  name: string;
  group: string;
  url: string;
  method: HttpMethod;
  interval: string;
  timeout: string;
  latencyThresholdMs: string;
  failureThreshold: string;
  recoveryThreshold: string;
  expectedStatus: string;
  sloTarget: string;
  sloWindow: string;
  degradedOpensIncident: boolean;
  paused: boolean;
  /**
   * What the form does not edit (the check kind and its options: request body, headers, auth, assertions, TCP,
   * DNS, heartbeat), sent back as the API showed it — secrets come back as "(redacted)", which keeps them — so a
   * save from the form never drops them.
   */
  kept: Partial<ServiceDefinition>;
}

/** Fields of a service definition the form leaves as they are. */
const KEPT_FIELDS = [
  'kind',
  'body',
  'headers',
  'auth',
  'followRedirects',
  'insecureTls',
  'assertions',
  'certExpiryWarningDays',
  'tcp',
  'dns',
  'heartbeat',
] as const satisfies readonly (keyof ServiceDefinition)[];

/** Form fields named by the API path their problems come back under. */
export const SERVICE_FIELDS = [
  'id',
  'name',
  'group',
  'url',
  'method',
  'interval',
  'timeout',
  'latencyThresholdMs',
  'failureThreshold',
  'recoveryThreshold',
  'expectedStatus',
  'slo.target',
  'slo.window',
  'degradedOpensIncident',
  'paused',
] as const;

export type ServiceField = (typeof SERVICE_FIELDS)[number];

export const SERVICE_FIELD_LABELS: Record<ServiceField, string> = {
  id: 'ID',
  name: 'Name',
  group: 'Group',
  url: 'URL',
  method: 'Method',
  interval: 'Check interval',
  timeout: 'Timeout',
  latencyThresholdMs: 'Slow above (ms)',
  failureThreshold: 'Failures before down',
  recoveryThreshold: 'Successes before up',
  expectedStatus: 'Expected HTTP status',
  'slo.target': 'SLO target (%)',
  'slo.window': 'SLO window',
  degradedOpensIncident: 'Open an incident when degraded',
  paused: 'Paused',
};

/** A new service: the API's defaults filled in, so the admin sees what will apply. */
export function emptyServiceForm(): ServiceFormValue {
  return {
    id: '',
    name: '',
    group: '',
    url: '',
    method: SERVICE_DEFAULTS.method,
    interval: SERVICE_DEFAULTS.interval,
    timeout: '',
    latencyThresholdMs: '',
    failureThreshold: String(SERVICE_DEFAULTS.failureThreshold),
    recoveryThreshold: String(SERVICE_DEFAULTS.recoveryThreshold),
    expectedStatus: SERVICE_DEFAULTS.expectedStatus.join(', '),
    sloTarget: String(SERVICE_DEFAULTS.slo.target),
    sloWindow: SERVICE_DEFAULTS.slo.window,
    degradedOpensIncident: SERVICE_DEFAULTS.degradedOpensIncident,
    paused: SERVICE_DEFAULTS.paused,
    kept: {},
  };
}

/**
 * An existing service (the API sends it with every default applied) as the form shows it. The timeout is left
 * empty while it follows its default (it is derived from the interval): sent back by PUT it would freeze.
 */
export function serviceFormFrom(service: AdminService): ServiceFormValue {
  return {
    id: service.id,
    name: service.name,
    group: service.group ?? '',
    url: service.url ?? '',
    method: service.method ?? SERVICE_DEFAULTS.method,
    interval: service.interval,
    timeout: service.defaulted.includes('timeout') ? '' : service.timeout,
    latencyThresholdMs: service.latencyThresholdMs === null ? '' : String(service.latencyThresholdMs),
    failureThreshold: String(service.failureThreshold),
    recoveryThreshold: String(service.recoveryThreshold),
    expectedStatus: (service.expectedStatus ?? []).join(', '),
    sloTarget: String(service.slo.target),
    sloWindow: service.slo.window,
    degradedOpensIncident: service.degradedOpensIncident,
    paused: service.paused,
    kept: Object.fromEntries(
      KEPT_FIELDS.filter((field) => service[field] !== undefined).map((field) => [field, service[field]]),
    ) as Partial<ServiceDefinition>,
  };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The request body for POST (create) or PUT (replace): empty optional fields are left out so the API applies its
 * default; required text fields are sent even when empty so the API names them. Only what cannot be expressed in
 * JSON's types (letters in a number field) is reported here; every other rule is the API's.
 */
export function toServiceDefinition(
  form: ServiceFormValue,
): { ok: true; definition: ServiceDefinition } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const number = (path: ServiceField, raw: string): number | undefined => {
    const text = raw.trim();
    if (text === '') return undefined;
    if (NUMBER.test(text)) return Number(text);
    problems.push({ path, value: raw, rule: 'must be a number' });
    return undefined;
  };
  const kind = form.kept.kind ?? 'http';
  const definition: ServiceDefinition = {
    ...form.kept,
    id: form.id.trim(),
    name: form.name.trim(),
    ...(kind === 'http' || kind === 'tcp' ? { url: form.url.trim() } : {}),
    ...(kind === 'http' ? { method: form.method } : {}),
    degradedOpensIncident: form.degradedOpensIncident,
    paused: form.paused,
  };
  if (form.group.trim() !== '') definition.group = form.group.trim();
  if (form.interval.trim() !== '') definition.interval = form.interval.trim();
  if (form.timeout.trim() !== '') definition.timeout = form.timeout.trim();
  const latency = number('latencyThresholdMs', form.latencyThresholdMs);
  if (latency !== undefined) definition.latencyThresholdMs = latency;
  const failures = number('failureThreshold', form.failureThreshold);
  if (failures !== undefined) definition.failureThreshold = failures;
  const recoveries = number('recoveryThreshold', form.recoveryThreshold);
  if (recoveries !== undefined) definition.recoveryThreshold = recoveries;
  const statuses = form.expectedStatus
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .map((entry) => (/^\d+$/.test(entry) ? Number(entry) : entry));
  if (statuses.length > 0 && kind === 'http') definition.expectedStatus = statuses;
  const target = number('slo.target', form.sloTarget);
  const window = form.sloWindow.trim();
  if (target !== undefined) definition.slo = window === '' ? { target } : { target, window };
  else if (window !== '')
    problems.push({ path: 'slo.target', value: form.sloTarget, rule: 'is needed when a window is set' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, definition };
}
