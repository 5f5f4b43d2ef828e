import type { IncidentNotification } from '../notify/notifier.js';
import type { Incident } from '../domain/incident.js';

/**
 * An "opened" notification of an automatic incident on Checkout API (HTTP 503), as the writer renders it; override
 * what a spec is about.
 */
export function notification(overrides: Partial<IncidentNotification> = {}): IncidentNotification {
  const incidentId = overrides.incidentId ?? 'inc-1';
  return {
    incidentId,
    transition: 'opened',
    severity: 'major',
    status: 'investigating',
    kind: 'auto',
    title: 'Checkout API is down',
    serviceIds: ['checkout'],
    serviceNames: ['Checkout API'],
    startedAt: '2026-01-10T12:00:00.000Z',
    resolvedAt: null,
    message: 'Automated check: Checkout API is down (HTTP 503). We are looking into it.',
    lastError: 'HTTP 503',
    url: `https://status.example.com/incidents/${encodeURIComponent(incidentId)}`,
    at: '2026-01-10T12:00:00.000Z',
    ...overrides,
  };
}

/** A stored automatic incident on Checkout API that started at `startedAt`; override what a spec is about. */
export function incident(id: string, startedAt: string, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    title: 'Checkout API is down',
    status: 'investigating',
    impact: 'major',
    kind: 'auto',
    serviceIds: ['checkout'],
    startedAt,
    resolvedAt: null,
    updates: [{ at: startedAt, status: 'investigating', message: 'Automated check: Checkout API is down.' }],
    lastError: 'HTTP 503',
    version: 1,
    ...overrides,
  };
}
