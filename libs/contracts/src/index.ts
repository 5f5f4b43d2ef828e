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
  /** Short failure reason, e.g. "timeout after 800ms", "HTTP 503", "ECONNREFUSED". */
  error?: string;
}

/** Percent of successful checks in each window, or null when there were no checks. */
export interface UptimeWindows {
  '24h': number | null;
  '7d': number | null;
  '30d': number | null;
  '90d': number | null;
}

export interface SloStatus {
  /** Target availability in percent, e.g. 99.9. */
  target: number;
  /** Window the target applies to, e.g. "30d". */
  window: string;
  /** Percent of the window's error budget still unspent (may go negative), null without data. */
  errorBudgetRemaining: number | null;
}

export interface ServiceStatus {
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

/** GET /api/status — served from memory, never from the database. */
export interface StatusResponse {
  generatedAt: string;
  overall: OverallStatus;
  services: ServiceStatus[];
  activeIncidents: IncidentSummary[];
  upcomingMaintenance: MaintenanceWindow[];
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
export interface CheckRecord {
  at: string;
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: string;
  /** State of the service after this check was evaluated. */
  state: ServiceState;
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

/** GET /api/services/:id — one service in depth. */
export interface ServiceDetailResponse {
  service: ServiceStatus;
  /** Most recent checks, newest first. */
  recentChecks: CheckRecord[];
  /** 90 daily bars, oldest first. */
  bars: DailyBar[];
}

/** Error body of every 4xx/5xx answer. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  /** Field-level problems for 400s (and 415s): path, offending value (absent when the field was missing), rule. */
  details?: { path: string; value?: unknown; rule: string }[];
}

export const HTTP_METHODS = ['GET', 'HEAD'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Where a service is defined: the services file (read-only through the API) or the admin API. */
export type ServiceSource = 'config' | 'api';

export interface SloDefinition {
  /** Availability target in percent, e.g. 99.9. */
  target: number;
  /** Whole days, e.g. "30d". */
  window?: string;
}

/** A monitored service as written in the services file and sent to POST/PUT /api/admin/services. */
export interface ServiceDefinition {
  id: string;
  name: string;
  group?: string;
  url: string;
  method?: HttpMethod;
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

/** A service definition with every default applied: what the admin API shows and the audit log records. */
export interface ResolvedServiceDefinition extends Required<
  Omit<ServiceDefinition, 'group' | 'latencyThresholdMs' | 'slo'>
> {
  group: string | null;
  latencyThresholdMs: number | null;
  slo: Required<SloDefinition>;
}

/** GET /api/admin/services item: the full definition with defaults applied, where it lives, and its state. */
export interface AdminService extends ResolvedServiceDefinition {
  /** "config" services come from the services file and are read-only through the API. */
  source: ServiceSource;
  state: ServiceState;
}

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
