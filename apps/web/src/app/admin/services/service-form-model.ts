import {
  CHECK_KINDS,
  DNS_RECORD_TYPES,
  SERVICE_DEFAULTS,
  type AdminService,
  type CheckKind,
  type DnsRecordType,
  type HttpMethod,
  type ServiceDefinition,
} from '@app/contracts';
import type { FieldProblem } from '../api/admin-api';

/** The form as typed: text for everything the admin types, so nothing is coerced before the API judges it. */
export interface ServiceFormValue {
  id: string;
  name: string;
  group: string;
  kind: CheckKind;
  /** http(s):// for http, tcp://host:port for tcp. */
  url: string;
  method: HttpMethod;
  expectedStatus: string;
  followRedirects: boolean;
  insecureTls: boolean;
  certExpiryWarningDays: string;
  tcpTls: boolean;
  /** As typed, one line a line; sent with `tcpLineEnding` between lines. */
  tcpSend: string;
  /** CRLF (what line protocols expect) unless the stored text used bare LF. */
  tcpLineEnding: '\r\n' | '\n';
  tcpExpect: string;
  dnsName: string;
  dnsType: DnsRecordType;
  dnsServer: string;
  /** One expected value a line (TXT values may hold commas and spaces). */
  dnsExpect: string;
  heartbeatGrace: string;
  interval: string;
  timeout: string;
  latencyThresholdMs: string;
  failureThreshold: string;
  recoveryThreshold: string;
  sloTarget: string;
  sloWindow: string;
  degradedOpensIncident: boolean;
  paused: boolean;
  /** Flags the stored definition sets explicitly: sent back even when they equal the default, so they stay set. */
  explicit: readonly ExplicitField[];
  /**
   * What the form does not edit (an HTTP check's request body, headers, auth and assertions), sent back as the API
   * showed it — secrets come back as "(redacted)", which keeps them — so a save from the form never drops them.
   * They belong to kind http: a service turned into another kind leaves them out (the API would refuse them).
   */
  kept: Partial<ServiceDefinition>;
}

type BooleanOption = 'followRedirects' | 'insecureTls';
/** Fields sent at their default only when the stored definition set them. */
type ExplicitField = BooleanOption | 'kind';

/** HTTP options the form leaves as they are. */
const KEPT_FIELDS = ['body', 'headers', 'auth', 'assertions'] as const satisfies readonly (keyof ServiceDefinition)[];

/** Which form fields each kind shows (the common ones — id, name, interval, thresholds, slo … — always). */
export const KIND_FORM_FIELDS = {
  http: ['url', 'method', 'expectedStatus', 'followRedirects', 'insecureTls', 'certExpiryWarningDays'],
  tcp: ['url', 'tcp.tls', 'tcp.send', 'tcp.expect', 'insecureTls', 'certExpiryWarningDays'],
  dns: ['dns.name', 'dns.type', 'dns.server', 'dns.expect'],
  heartbeat: ['heartbeat.grace'],
} as const satisfies Record<CheckKind, readonly string[]>;

/** Form fields named by the API path their problems come back under. */
export const SERVICE_FIELDS = [
  'id',
  'name',
  'group',
  'kind',
  'url',
  'method',
  'expectedStatus',
  'followRedirects',
  'tcp.tls',
  'tcp.send',
  'tcp.expect',
  'dns.name',
  'dns.type',
  'dns.server',
  'dns.expect',
  'heartbeat.grace',
  'insecureTls',
  'certExpiryWarningDays',
  'interval',
  'timeout',
  'latencyThresholdMs',
  'failureThreshold',
  'recoveryThreshold',
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
  kind: 'Check kind',
  url: 'URL',
  method: 'Method',
  expectedStatus: 'Expected HTTP status',
  followRedirects: 'Follow redirects',
  'tcp.tls': 'TLS handshake',
  'tcp.send': 'Send',
  'tcp.expect': 'Expect in the reply',
  'dns.name': 'Name to resolve',
  'dns.type': 'Record type',
  'dns.server': 'DNS server',
  'dns.expect': 'Expected values',
  'heartbeat.grace': 'Grace period',
  insecureTls: 'Accept any certificate (TLS not verified)',
  certExpiryWarningDays: 'Warn before the certificate expires (days)',
  interval: 'Check interval',
  timeout: 'Timeout',
  latencyThresholdMs: 'Slow above (ms)',
  failureThreshold: 'Failures before down',
  recoveryThreshold: 'Successes before up',
  'slo.target': 'SLO target (%)',
  'slo.window': 'SLO window',
  degradedOpensIncident: 'Open an incident when degraded',
  paused: 'Paused',
};

export function isCheckKind(value: string): value is CheckKind {
  return (CHECK_KINDS as readonly string[]).includes(value);
}

export function isDnsRecordType(value: string): value is DnsRecordType {
  return (DNS_RECORD_TYPES as readonly string[]).includes(value);
}

/** The thresholds a kind starts with: a heartbeat is one event per interval. */
function thresholdsOf(kind: CheckKind): { failureThreshold: number; recoveryThreshold: number } {
  return kind === 'heartbeat' ? SERVICE_DEFAULTS.heartbeat : SERVICE_DEFAULTS;
}

/** A new service: the API's defaults filled in, so the admin sees what will apply. */
export function emptyServiceForm(): ServiceFormValue {
  return {
    id: '',
    name: '',
    group: '',
    kind: 'http',
    url: '',
    method: SERVICE_DEFAULTS.method,
    expectedStatus: SERVICE_DEFAULTS.expectedStatus.join(', '),
    followRedirects: SERVICE_DEFAULTS.followRedirects,
    insecureTls: SERVICE_DEFAULTS.insecureTls,
    certExpiryWarningDays: '',
    tcpTls: false,
    tcpSend: '',
    tcpLineEnding: '\r\n',
    tcpExpect: '',
    dnsName: '',
    dnsType: 'A',
    dnsServer: '',
    dnsExpect: '',
    heartbeatGrace: '',
    interval: SERVICE_DEFAULTS.interval,
    timeout: '',
    latencyThresholdMs: '',
    failureThreshold: String(SERVICE_DEFAULTS.failureThreshold),
    recoveryThreshold: String(SERVICE_DEFAULTS.recoveryThreshold),
    sloTarget: String(SERVICE_DEFAULTS.slo.target),
    sloWindow: SERVICE_DEFAULTS.slo.window,
    degradedOpensIncident: SERVICE_DEFAULTS.degradedOpensIncident,
    paused: SERVICE_DEFAULTS.paused,
    explicit: [],
    kept: {},
  };
}

/**
 * The form after the admin picks another kind. Thresholds still at the old kind's defaults move to the new
 * kind's (a heartbeat starts at 1 and 1), so the form keeps showing what will apply; anything typed stays.
 */
export function withKind(form: ServiceFormValue, kind: CheckKind): ServiceFormValue {
  const before = thresholdsOf(form.kind);
  const after = thresholdsOf(kind);
  return {
    ...form,
    kind,
    failureThreshold:
      form.failureThreshold === String(before.failureThreshold)
        ? String(after.failureThreshold)
        : form.failureThreshold,
    recoveryThreshold:
      form.recoveryThreshold === String(before.recoveryThreshold)
        ? String(after.recoveryThreshold)
        : form.recoveryThreshold,
  };
}

/**
 * An existing service (the API sends it with every default applied) as the form shows it. The timeout and the
 * certificate warning are left empty while they follow their defaults: sent back by PUT they would freeze.
 */
export function serviceFormFrom(service: AdminService): ServiceFormValue {
  const empty = emptyServiceForm();
  const defaulted = (field: keyof ServiceDefinition) => service.defaulted.includes(field);
  return {
    ...empty,
    id: service.id,
    name: service.name,
    group: service.group ?? '',
    kind: service.kind,
    url: service.url ?? '',
    method: service.method ?? SERVICE_DEFAULTS.method,
    expectedStatus: (service.expectedStatus ?? SERVICE_DEFAULTS.expectedStatus).join(', '),
    followRedirects: service.followRedirects ?? SERVICE_DEFAULTS.followRedirects,
    insecureTls: service.insecureTls ?? SERVICE_DEFAULTS.insecureTls,
    certExpiryWarningDays:
      service.certExpiryWarningDays === undefined || defaulted('certExpiryWarningDays')
        ? ''
        : String(service.certExpiryWarningDays),
    tcpTls: service.tcp?.tls ?? false,
    tcpSend: (service.tcp?.send ?? '').replace(/\r\n/g, '\n'),
    tcpLineEnding: /(^|[^\r])\n/.test(service.tcp?.send ?? '') ? '\n' : '\r\n',
    tcpExpect: service.tcp?.expect ?? '',
    dnsName: service.dns?.name ?? '',
    dnsType: service.dns?.type ?? 'A',
    dnsServer: service.dns?.server ?? '',
    dnsExpect: (service.dns?.expect ?? []).join('\n'),
    heartbeatGrace: service.heartbeat?.grace ?? '',
    interval: service.interval,
    timeout: defaulted('timeout') ? '' : service.timeout,
    latencyThresholdMs: service.latencyThresholdMs === null ? '' : String(service.latencyThresholdMs),
    failureThreshold: String(service.failureThreshold),
    recoveryThreshold: String(service.recoveryThreshold),
    sloTarget: String(service.slo.target),
    sloWindow: service.slo.window,
    degradedOpensIncident: service.degradedOpensIncident,
    paused: service.paused,
    explicit: (['kind', 'followRedirects', 'insecureTls'] as const).filter(
      (field) => service[field] !== undefined && !defaulted(field),
    ),
    kept: Object.fromEntries(
      KEPT_FIELDS.filter((field) => service[field] !== undefined).map((field) => [field, service[field]]),
    ) as Partial<ServiceDefinition>,
  };
}

/** "request body, 2 request headers, bearer auth, response assertions": what `kept` holds, for the form to say. */
export function describeKept(kept: Partial<ServiceDefinition>): string {
  const parts: string[] = [];
  if (kept.body !== undefined) parts.push('request body');
  if (kept.headers !== undefined && kept.headers.length > 0)
    parts.push(`${kept.headers.length} request ${kept.headers.length === 1 ? 'header' : 'headers'}`);
  if (kept.auth !== undefined) parts.push(`${kept.auth.type} auth`);
  if (kept.assertions !== undefined) parts.push('response assertions');
  return parts.join(', ');
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The request body for POST (create) or PUT (replace), with only the fields of the chosen kind: empty optional
 * fields are left out so the API applies its default, and so are flags at their default unless the stored
 * definition set them; required text fields are sent even when empty so the API names them. Only what cannot be
 * expressed in JSON's types (letters in a number field) is reported here; every other rule is the API's.
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
  const flag = (field: BooleanOption): Partial<ServiceDefinition> =>
    form[field] !== SERVICE_DEFAULTS[field] || form.explicit.includes(field) ? { [field]: form[field] } : {};
  const kind = form.kind;
  const definition: ServiceDefinition = {
    ...(kind === 'http' ? form.kept : {}),
    id: form.id.trim(),
    name: form.name.trim(),
    ...(kind !== 'http' || form.explicit.includes('kind') ? { kind } : {}),
  };
  if (form.group.trim() !== '') definition.group = form.group.trim();
  switch (kind) {
    case 'http': {
      definition.url = form.url.trim();
      definition.method = form.method;
      const statuses = form.expectedStatus
        .split(/[\s,]+/)
        .filter((entry) => entry !== '')
        .map((entry) => (/^\d+$/.test(entry) ? Number(entry) : entry));
      if (statuses.length > 0) definition.expectedStatus = statuses;
      Object.assign(definition, flag('followRedirects'), flag('insecureTls'));
      break;
    }
    case 'tcp': {
      definition.url = form.url.trim();
      const tcp = {
        ...(form.tcpTls ? { tls: true } : {}),
        ...(form.tcpSend === '' ? {} : { send: form.tcpSend.replace(/\r?\n/g, form.tcpLineEnding) }),
        ...(form.tcpExpect === '' ? {} : { expect: form.tcpExpect }),
      };
      if (Object.keys(tcp).length > 0) definition.tcp = tcp;
      Object.assign(definition, flag('insecureTls'));
      break;
    }
    case 'dns': {
      const expect = form.dnsExpect
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      definition.dns = {
        name: form.dnsName.trim(),
        type: form.dnsType,
        ...(form.dnsServer.trim() === '' ? {} : { server: form.dnsServer.trim() }),
        ...(expect.length === 0 ? {} : { expect }),
      };
      break;
    }
    case 'heartbeat':
      // No token hash: the API keeps the service's token (or makes one for a new heartbeat and shows it once).
      if (form.heartbeatGrace.trim() !== '') definition.heartbeat = { grace: form.heartbeatGrace.trim() };
      break;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
  if (kind === 'http' || kind === 'tcp') {
    const days = number('certExpiryWarningDays', form.certExpiryWarningDays);
    if (days !== undefined) definition.certExpiryWarningDays = days;
  }
  if (form.interval.trim() !== '') definition.interval = form.interval.trim();
  if (form.timeout.trim() !== '') definition.timeout = form.timeout.trim();
  const latency = number('latencyThresholdMs', form.latencyThresholdMs);
  if (latency !== undefined) definition.latencyThresholdMs = latency;
  const failures = number('failureThreshold', form.failureThreshold);
  if (failures !== undefined) definition.failureThreshold = failures;
  const recoveries = number('recoveryThreshold', form.recoveryThreshold);
  if (recoveries !== undefined) definition.recoveryThreshold = recoveries;
  const target = number('slo.target', form.sloTarget);
  const window = form.sloWindow.trim();
  if (target !== undefined) definition.slo = window === '' ? { target } : { target, window };
  else if (window !== '')
    problems.push({ path: 'slo.target', value: form.sloTarget, rule: 'is needed when a window is set' });
  definition.degradedOpensIncident = form.degradedOpensIncident;
  definition.paused = form.paused;
  return problems.length > 0 ? { ok: false, problems } : { ok: true, definition };
}
