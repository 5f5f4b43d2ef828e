/**
 * Public API contract of the status page: plain types and the lists of allowed values, no framework imports.
 * Imported by the Nest API and by the Angular dashboard so the two can never drift; the API's DTOs `implements`
 * the request types here, so a shape is declared once.
 */

/** Evaluated state of one monitored service. */
export const SERVICE_STATES = ['up', 'degraded', 'down', 'unknown', 'maintenance'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** Headline state of the whole page. */
export type OverallStatus = 'operational' | 'degraded' | 'partial_outage' | 'major_outage' | 'maintenance';

export interface LastCheck {
  /** ISO-8601 time the check started. */
  at: string;
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  /**
   * Short failure reason, e.g. "timeout after 800ms", "HTTP 503", "ECONNREFUSED", "NXDOMAIN",
   * "assertion json $.status == \"UP\" failed: saw \"DOWN\"", "no ping for 1h 5m (expected every 1h + 5m grace)".
   */
  error?: string;
  /** The failure in words for visitors, e.g. "connection refused" for ECONNREFUSED (`error` keeps the code). */
  reason?: string;
  /** Why a successful check counts as degraded, e.g. "certificate expires in 3 days". */
  warning?: string;
  /** ISO-8601 notAfter of the leaf certificate the check saw (HTTPS and TLS over TCP). */
  certificateExpiresAt?: string;
}

/** Percent of successful checks in each window, or null when there were no checks. */
export interface UptimeWindows {
  '24h': number | null;
  '7d': number | null;
  '30d': number | null;
  '90d': number | null;
}

/** An SLO: the availability target over a window. */
export interface SloTarget {
  /** Target availability in percent, e.g. 99.9. */
  target: number;
  /** Window the target applies to, e.g. "30d". */
  window: string;
}

export interface SloStatus extends SloTarget {
  /** Percent of the window's error budget still unspent (may go negative), null without data. */
  errorBudgetRemaining: number | null;
}

/**
 * One service in depth, as GET /api/services/:id shows it (`service`): every field, defaults included. In-process
 * readers of the status snapshot that need more than the overview (the Statuspage documents' `updated_at`) read this.
 */
export interface ServiceDetail {
  id: string;
  name: string;
  group: string | null;
  state: ServiceState;
  /** ISO-8601 time the service entered its current state, null when never checked. */
  since: string | null;
  paused: boolean;
  /** Seconds between checks. */
  intervalSeconds: number;
  lastCheck: LastCheck | null;
  uptime: UptimeWindows;
  slo: SloStatus;
  /**
   * Present (true) only when what is shown may be out of date: the answering replica has heard of no check for
   * longer than two intervals plus the replica lease (storage unreachable, or a takeover still pending).
   */
  stale?: true;
}

/**
 * The last check as the overview shows it: its latency, or why it failed. When it ran, its HTTP status, a warning
 * and the certificate's expiry are in GET /api/services/:id (`service.lastCheck`, `recentChecks`, `certificate`)
 * and, for admins, GET /api/admin/services (`lastCheck`).
 */
export type LastCheckSummary = Pick<LastCheck, 'ok' | 'latencyMs' | 'error' | 'reason'>;

/**
 * One service in GET /api/status: what the overview shows, nothing more, because every visitor polls this document
 * for every service. Fields that would only repeat a default are left out (absent, never null); everything else a
 * service has (since, intervalSeconds, 24h/7d uptime, the last check's time, HTTP status and warning) is in
 * GET /api/services/:id (ServiceDetail).
 */
export interface ServiceStatus {
  id: string;
  name: string;
  /** Absent for a service without a group. */
  group?: string;
  state: ServiceState;
  /** Present (true) only while monitoring is paused. */
  paused?: true;
  /** null until the service's first check. */
  lastCheck: LastCheckSummary | null;
  /** The windows the overview shows; 24h and 7d are in ServiceDetail. */
  uptime: Pick<UptimeWindows, '30d' | '90d'>;
  /** Absent when the service has the default SLO (StatusResponse.defaults.slo). */
  slo?: SloTarget;
  /** As SloStatus.errorBudgetRemaining: percent of the SLO window's error budget still unspent, null without data. */
  errorBudgetRemaining: number | null;
  /** As ServiceDetail.stale. */
  stale?: true;
}

/** What an absent field of a ServiceStatus means. */
export interface StatusDefaults {
  /** The SLO of a service without `slo` (SERVICE_DEFAULTS.slo). */
  slo: SloTarget;
}

/** In the order a manual incident may move through them. */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Least to most severe. */
export const INCIDENT_IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

/** "auto" when opened by the monitor, "manual" when opened by an admin. */
export type IncidentKind = 'auto' | 'manual';

export interface IncidentUpdate {
  at: string;
  status: IncidentStatus;
  message: string;
}

export interface IncidentSummary {
  id: string;
  title: string;
  status: IncidentStatus;
  impact: IncidentImpact;
  kind: IncidentKind;
  serviceIds: string[];
  startedAt: string;
  resolvedAt: string | null;
  updates: IncidentUpdate[];
}

export interface MaintenanceWindow {
  id: string;
  title: string;
  serviceIds: string[];
  startsAt: string;
  endsAt: string;
  message: string;
}

/** A link in the page's footer. */
export interface PageLink {
  label: string;
  /** http(s) or mailto: URL. */
  url: string;
}

/**
 * Branding of the public page, from the services file's `page:` section (README → "Branding"): changed without a
 * rebuild, on the next reload of the file.
 */
export interface PageInfo {
  /** Page title and the name in the header, e.g. "Acme Status". */
  title: string;
  /** Logo shown instead of the built-in mark: an https URL or a path on the page's own origin; null for the mark. */
  logoUrl: string | null;
  /** Accent colours (#rrggbb) for light and dark schemes; null keeps the built-in ones. */
  colors: { accent: string | null; accentDark: string | null };
  /** Footer links, in order. */
  links: PageLink[];
  /** Where visitors report a problem or get help (http(s) or mailto:), null for none. */
  supportUrl: string | null;
  /** Whether visitors can subscribe to e-mail updates (POST /api/subscriptions is switched on). */
  subscriptions: boolean;
}

/** GET /api/status — served from memory, never from the database. */
export interface StatusResponse {
  generatedAt: string;
  overall: OverallStatus;
  /** Services in display order: by group (the page's group order), then the services file's order. */
  services: ServiceStatus[];
  /** What the services' absent fields stand for. */
  defaults: StatusDefaults;
  activeIncidents: IncidentSummary[];
  upcomingMaintenance: MaintenanceWindow[];
  page: PageInfo;
}

/** One day of a service's history (UTC). */
export interface DailyBar {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Percent of successful checks that day, null when there were none. */
  uptime: number | null;
  checks: number;
  failures: number;
  /** Mean latency of successful checks in ms, null when none. */
  avgLatencyMs: number | null;
}

/** One stored check result. */
export interface CheckRecord extends LastCheck {
  /** State of the service after this check was evaluated. */
  state: ServiceState;
}

/** The TLS certificate a service presented most recently (HTTPS and TLS over TCP). */
export interface CertificateStatus {
  /** ISO-8601 notAfter of the leaf certificate. */
  expiresAt: string;
  /** Whole days left (negative once expired). */
  daysLeft: number;
  /** ISO-8601 time of the check that saw it. */
  checkedAt: string;
  /** Fewer days left than the service's certExpiryWarningDays. */
  warning: boolean;
}

/** GET /api/history — 90 daily bars and a latency sparkline per service (cacheable, refreshed per minute). */
export interface HistoryResponse {
  generatedAt: string;
  /** The 90 UTC dates the bars cover, oldest first. */
  days: string[];
  services: Record<string, ServiceHistory>;
}

export interface ServiceHistory {
  /** Uptime percent per day aligned with HistoryResponse.days, null for days without checks. */
  bars: (number | null)[];
  /** Latencies (ms) of the most recent checks, oldest first; null for failed checks. */
  latency: (number | null)[];
}

/** Response times of one hour or one UTC day. */
export interface LatencyPoint {
  /** ISO-8601 start of the hour or the day. */
  start: string;
  checks: number;
  failures: number;
  /** Mean of the successful checks (ms), null when there were none. */
  avgMs: number | null;
  /**
   * Median and 95th percentile of the successful checks (ms), estimated from a latency histogram kept per day;
   * null where there is none (hours; days recorded before the histogram existed).
   */
  p50Ms: number | null;
  p95Ms: number | null;
}

export const LATENCY_RANGES = ['24h', '7d', '30d', '90d'] as const;
export type LatencyRange = (typeof LATENCY_RANGES)[number];

/** Response times over one range: totals and percentiles as for a LatencyPoint. */
export type LatencySummary = Omit<LatencyPoint, 'start'>;

export interface LatencyHistory {
  /** The last 24 hours, one point per hour, oldest first (the current hour last). */
  hours: LatencyPoint[];
  /** The last 90 UTC days, one point per day, oldest first (today last); 7d and 30d are its tail. */
  days: LatencyPoint[];
  /** Each range as a whole. 24h percentiles are estimated from the days it touches, weighted by their checks. */
  ranges: Record<LatencyRange, LatencySummary>;
}

/** GET /api/services/:id — one service in depth. */
export interface ServiceDetailResponse {
  service: ServiceDetail;
  /** Most recent checks, newest first. */
  recentChecks: CheckRecord[];
  /** 90 daily bars, oldest first. */
  bars: DailyBar[];
  /** The certificate seen by the most recent check that saw one; null for services without TLS. */
  certificate: CertificateStatus | null;
  /** Response times for the 24h / 7d / 30d / 90d ranges. */
  latency: LatencyHistory;
}

/** Error body of every 4xx/5xx answer. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  /** Field-level problems for 400s (and 415s): path, offending value (absent when the field was missing), rule. */
  details?: { path: string; value?: unknown; rule: string }[];
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What a service checks: an HTTP(S) endpoint, a TCP port, a DNS record, or pings pushed by a job (heartbeat). */
export const CHECK_KINDS = ['http', 'tcp', 'dns', 'heartbeat'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

/** Where a service is defined: the services file (read-only through the API) or the admin API. */
export type ServiceSource = 'config' | 'api';

/**
 * What the admin API and the audit log show instead of a secret (a secret header value, a password, a token).
 * Sent back unchanged in a PUT or PATCH, it keeps the stored secret.
 */
export const REDACTED = '(redacted)';

export interface SloDefinition {
  /** Availability target in percent, e.g. 99.9. */
  target: number;
  /** Whole days, e.g. "30d". */
  window?: string;
}

/** A request header sent with every check; `secret` values are redacted in every answer, log and audit entry. */
export interface HttpHeaderDefinition {
  name: string;
  value: string;
  secret?: boolean;
}

export const AUTH_TYPES = ['basic', 'bearer'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** Credentials sent with every check: basic (username + password) or bearer (token); always secret. */
export interface HttpAuthDefinition {
  type: AuthType;
  username?: string;
  password?: string;
  token?: string;
}

export const JSON_OPERATORS = ['==', '!=', '<', '<=', '>', '>=', 'exists'] as const;
export type JsonOperator = (typeof JSON_OPERATORS)[number];

/** A value in the JSON body, found by a JSONPath subset ("$.data.items[0].status"), compared with `value`. */
export interface JsonAssertion {
  path: string;
  operator: JsonOperator;
  /** Absent for `exists`; a number for <, <=, >, >=. */
  value?: string | number | boolean;
}

export const HEADER_OPERATORS = ['exists', '==', '!=', 'contains', 'notContains'] as const;
export type HeaderOperator = (typeof HEADER_OPERATORS)[number];

/** A response header (name case-insensitive) compared with `value` (absent for `exists`). */
export interface HeaderAssertion {
  name: string;
  operator: HeaderOperator;
  value?: string;
}

/** Conditions on the response (HTTP checks); every one must hold for the check to succeed. */
export interface AssertionsDefinition {
  /** The body (as read, up to 1 MiB) contains each of these strings. */
  contains?: string[];
  /** ... and none of these. */
  notContains?: string[];
  /** ... and matches each of these regular expressions (RE2 syntax, linear time, run off the main thread). */
  matches?: string[];
  json?: JsonAssertion[];
  headers?: HeaderAssertion[];
}

/** TCP checks (`url: tcp://host:port`): connect, optionally TLS, optionally send a line and expect a reply. */
export interface TcpDefinition {
  tls?: boolean;
  /** Sent once connected (and after the TLS handshake). */
  send?: string;
  /** Must appear in what the server sends within the timeout. */
  expect?: string;
}

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** DNS checks: resolve `name` as `type`, against the system resolver or `server`. */
export interface DnsDefinition {
  name: string;
  type: DnsRecordType;
  /** An IP address with an optional port ("9.9.9.9", "[2620:fe::fe]:53"); the system resolver when absent. */
  server?: string;
  /** Values every answer must include: addresses, names, "10 mx.example.com" for MX, the text for TXT. */
  expect?: string[];
}

/** Heartbeat (push) checks: a job calls /api/heartbeat/<token> at least every `interval` + `grace`. */
export interface HeartbeatDefinition {
  /** Extra time after the interval before a missing ping counts, e.g. "5m" (default "1m"). */
  grace?: string;
  /**
   * SHA-256 (hex) of the ping token: required in the services file (npm run heartbeat-token); the admin API
   * makes a token itself when it is left out, and never shows the hash.
   */
  tokenHash?: string;
}

/** A monitored service as written in the services file and sent to POST/PUT /api/admin/services. */
export interface ServiceDefinition {
  id: string;
  name: string;
  group?: string;
  /** Default "http". */
  kind?: CheckKind;
  /** http(s)://… for http, tcp://host:port for tcp; not used by dns and heartbeat. */
  url?: string;
  method?: HttpMethod;
  /** Request body for POST, at most 4 KiB. */
  body?: string;
  headers?: HttpHeaderDefinition[];
  auth?: HttpAuthDefinition;
  /** Follow up to 5 redirects (default true); false judges the redirect itself. */
  followRedirects?: boolean;
  /** Accept any certificate (expired, self-signed, wrong host); default false. */
  insecureTls?: boolean;
  assertions?: AssertionsDefinition;
  /** Degraded when the certificate expires in fewer days than this (default 14). */
  certExpiryWarningDays?: number;
  tcp?: TcpDefinition;
  dns?: DnsDefinition;
  heartbeat?: HeartbeatDefinition;
  /** Duration in whole seconds, 1s … 24h, e.g. "30s". */
  interval?: string;
  /** Duration shorter than the interval, e.g. "5s". */
  timeout?: string;
  latencyThresholdMs?: number;
  failureThreshold?: number;
  recoveryThreshold?: number;
  /** Statuses or ranges, e.g. [200, "300-399"]. */
  expectedStatus?: (number | string)[];
  slo?: SloDefinition;
  degradedOpensIncident?: boolean;
  paused?: boolean;
}

/**
 * A service definition with every default applied: what the admin API shows and the audit log records. The
 * fields of the service's kind are present (defaults explicit), those of other kinds absent; secrets redacted.
 */
export interface ResolvedServiceDefinition extends Omit<
  ServiceDefinition,
  'group' | 'latencyThresholdMs' | 'slo' | 'heartbeat'
> {
  kind: CheckKind;
  group: string | null;
  interval: string;
  timeout: string;
  latencyThresholdMs: number | null;
  failureThreshold: number;
  recoveryThreshold: number;
  slo: Required<SloDefinition>;
  degradedOpensIncident: boolean;
  paused: boolean;
  heartbeat?: { grace: string };
}

/** GET /api/admin/services item: the full definition with defaults applied, where it lives, and its state. */
export interface AdminService extends ResolvedServiceDefinition {
  /** "config" services come from the services file and are read-only through the API. */
  source: ServiceSource;
  state: ServiceState;
  /**
   * Fields the definition leaves out, shown here with their defaults: they keep following the defaults (the timeout
   * follows the interval) until someone sets them. A form editing with PUT should leave them out too.
   */
  defaulted: (keyof ServiceDefinition)[];
  /**
   * Why the probe refuses this service's target at connect time (its host name resolves to an address the SSRF
   * policy blocks): a configuration problem for admins, shown as "unknown" on the public page. null when none.
   */
  misconfigured: string | null;
  /** The service's most recent check as this replica's status snapshot has it, null before the first. */
  lastCheck: LastCheck | null;
  /**
   * Only in the answer that created the token (creating a heartbeat service, or turning one into it): the ping
   * token, shown this once — only its SHA-256 is kept.
   */
  heartbeatToken?: string;
}

/** POST /api/admin/services/:id/heartbeat-token: a new ping token (the old one stops working at once). */
export interface HeartbeatTokenResponse {
  /** Shown this once; only its SHA-256 is kept. */
  token: string;
  /** Path to call, relative to the page's base URL: /api/heartbeat/<token>. */
  path: string;
}

/** GET|POST /api/heartbeat/:token. */
export interface HeartbeatPingResponse {
  ok: true;
}

/** GET /api/admin/whoami: the token's fingerprint, as the audit log records it. */
export interface AdminIdentity {
  actor: string;
}

/**
 * Defaults of a service definition (what an omitted field means), shared by the API and the console. The timeout
 * has no fixed default: min(timeoutCeiling, interval − 1s), at least 100ms.
 */
export const SERVICE_DEFAULTS = {
  method: 'GET',
  interval: '30s',
  timeoutCeiling: '10s',
  failureThreshold: 3,
  recoveryThreshold: 2,
  expectedStatus: ['200-299'],
  slo: { target: 99.9, window: '30d' },
  degradedOpensIncident: false,
  paused: false,
  followRedirects: true,
  insecureTls: false,
  certExpiryWarningDays: 14,
  /** A heartbeat is one event per interval: one missed (or failed) ping is down, one good ping is up. */
  heartbeat: { grace: '1m', failureThreshold: 1, recoveryThreshold: 1 },
} as const;

/** POST /api/admin/incidents. */
export interface CreateIncidentRequest {
  title: string;
  /** Default investigating. */
  status?: IncidentStatus;
  impact: IncidentImpact;
  /** Affected monitored services (may be empty). */
  serviceIds: string[];
  message: string;
  /** Also alert on-call (SNS, Slack); default false. */
  notify?: boolean;
}

/** POST /api/admin/incidents/:id/updates. */
export interface IncidentUpdateRequest {
  status: IncidentStatus;
  message: string;
  notify?: boolean;
}

/** PATCH /api/admin/incidents/:id: any subset of these. */
export interface EditIncidentRequest {
  title?: string;
  impact?: IncidentImpact;
  serviceIds?: string[];
}

/** POST /api/admin/maintenance. */
export type MaintenanceRequest = Omit<MaintenanceWindow, 'id'>;

/** One admin change, as listed by GET /api/admin/audit (newest first). */
export interface AuditEntry {
  id: string;
  at: string;
  /** Fingerprint of the admin token used (first 12 hex characters of its SHA-256). */
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
}

/** A page of a newest-first list; pass nextCursor back as ?cursor= for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export * from './statuspage.js';

/** POST /api/subscriptions: e-mail updates for visitors (AWS sends the confirmation and the unsubscribe links). */
export interface SubscribeRequest {
  email: string;
  /** Ids of the services to hear about; left out for all services. */
  services?: string[];
}

/** 202 answer of POST /api/subscriptions. */
export interface SubscribeResponse {
  status: 'confirmation_sent';
  /** What the subscription covers. */
  services: string[] | 'all';
  message: string;
}

/** GET /api/incidents. */
export type IncidentPage = Page<IncidentSummary>;

/** GET /api/admin/audit. */
export type AuditPage = Page<AuditEntry>;

/** One readiness check of GET /api/health: its status and what it measured. */
export interface HealthIndicator {
  status: 'up' | 'down';
  [measure: string]: unknown;
}

/** GET /api/health: 200 when storage and scheduler are up, 503 otherwise (same shape). */
export interface HealthResponse {
  status: 'ok' | 'error' | 'shutting_down';
  info?: Record<string, HealthIndicator>;
  error?: Record<string, HealthIndicator>;
  details: Record<string, HealthIndicator>;
}
