import type {
  IncidentSummary,
  PageInfo,
  ServiceDetail,
  ServiceStatus,
  StatusDefaults,
  StatusResponse,
} from '@app/contracts';

/** Builders for specs; every field has a sensible default so a spec states only what it is about. */

/** A service as /api/status lists it (defaults left out, as the API sends them). */
export function service(overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    id: 'api',
    name: 'Public API',
    state: 'up',
    lastCheck: { ok: true, latencyMs: 42 },
    uptime: { '30d': 99.95, '90d': 99.9 },
    errorBudgetRemaining: 80,
    ...overrides,
  };
}

/** A service as /api/services/:id shows it (every field). */
export function serviceDetail(overrides: Partial<ServiceDetail> = {}): ServiceDetail {
  return {
    id: 'api',
    name: 'Public API',
    group: null,
    state: 'up',
    since: '2026-11-27T08:00:00.000Z',
    paused: false,
    intervalSeconds: 30,
    lastCheck: { at: '2026-11-27T09:00:00.000Z', ok: true, latencyMs: 42, statusCode: 200 },
    uptime: { '24h': 100, '7d': 99.99, '30d': 99.95, '90d': 99.9 },
    slo: { target: 99.9, window: '30d', errorBudgetRemaining: 80 },
    ...overrides,
  };
}

export const STATUS_DEFAULTS: StatusDefaults = { slo: { target: 99.9, window: '30d' } };

export function incident(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 'inc-1',
    title: 'Elevated errors',
    status: 'investigating',
    impact: 'minor',
    kind: 'auto',
    serviceIds: ['api'],
    startedAt: '2026-11-27T08:30:00.000Z',
    resolvedAt: null,
    updates: [],
    ...overrides,
  };
}

export function statusResponse(overrides: Partial<StatusResponse> = {}): StatusResponse {
  return {
    generatedAt: '2026-11-27T09:00:00.000Z',
    overall: 'operational',
    services: [service()],
    defaults: STATUS_DEFAULTS,
    activeIncidents: [],
    upcomingMaintenance: [],
    page: pageInfo(),
    ...overrides,
  };
}

export function pageInfo(overrides: Partial<PageInfo> = {}): PageInfo {
  return {
    title: 'CloudOps Status',
    logoUrl: null,
    colors: { accent: null, accentDark: null },
    links: [],
    supportUrl: null,
    subscriptions: false,
    ...overrides,
  };
}
