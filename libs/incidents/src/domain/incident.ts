import {
  INCIDENT_IMPACTS,
  INCIDENT_STATUSES,
  type IncidentImpact,
  type IncidentStatus,
  type IncidentSummary,
} from '@app/contracts';

/** An incident as stored: the public summary plus what only the server needs. */
export interface Incident extends IncidentSummary {
  /** Last probe error of an automatic incident. */
  lastError: string | null;
  /** Optimistic-concurrency counter; every stored change increments it. */
  version: number;
}

/**
 * The DynamoDB-enforced "one open automatic incident per service": a single item per service, written with
 * attribute_not_exists, removed after the incident is resolved and its notifications are queued.
 */
export interface OpenLock {
  serviceId: string;
  incidentId: string;
  openedAt: number;
}

/** A manual status may only move forward (investigating → identified → monitoring → resolved) or stay. */
export function canMoveTo(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_STATUSES.indexOf(to) >= INCIDENT_STATUSES.indexOf(from);
}

/** How severe an impact is: none 0 … critical 3. */
export function impactRank(impact: IncidentImpact): number {
  return INCIDENT_IMPACTS.indexOf(impact);
}

export function toSummary(incident: Incident): IncidentSummary {
  const { lastError: _lastError, version: _version, ...summary } = incident;
  return summary;
}

/** Sortable, unique enough ids: time in base 36 + randomness. */
export function newId(prefix: string, now: number): string {
  return `${prefix}-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The creation time a newId() carries (epoch ms), or null for an id of another shape. */
export function idTime(id: string): number | null {
  const encoded = /^[a-z]+-([0-9a-z]{1,11})-[0-9a-z]*$/.exec(id)?.[1];
  const at = encoded === undefined ? NaN : parseInt(encoded, 36);
  return Number.isSafeInteger(at) && at > 0 ? at : null;
}

/**
 * An incident as read back from storage, made renderable: items written before the null rule (e.g. a PATCH with
 * `"title": null`) broke the feed, the page and the alert renderers on every read. Each unusable field gets a
 * safe stand-in, and the problem is returned so the caller can log it; the next edit stores the repaired copy.
 */
export function renderableIncident(stored: Incident): { incident: Incident; problems: string[] } {
  const problems: string[] = [];
  const fix = <T>(field: string, value: unknown, ok: boolean, fallback: T): T => {
    if (ok) return value as T;
    problems.push(`${field}: ${JSON.stringify(value) ?? 'undefined'} replaced by ${JSON.stringify(fallback)}`);
    return fallback;
  };
  const text = (value: unknown) => typeof value === 'string' && value.trim() !== '';
  const incident: Incident = {
    ...stored,
    title: fix('title', stored.title, text(stored.title), '(untitled incident)'),
    impact: fix('impact', stored.impact, (INCIDENT_IMPACTS as readonly unknown[]).includes(stored.impact), 'none'),
    status: fix(
      'status',
      stored.status,
      (INCIDENT_STATUSES as readonly unknown[]).includes(stored.status),
      stored.resolvedAt ? 'resolved' : 'investigating',
    ),
    serviceIds: fix(
      'serviceIds',
      stored.serviceIds,
      Array.isArray(stored.serviceIds) && stored.serviceIds.every((id) => typeof id === 'string'),
      [],
    ),
    updates: fix(
      'updates',
      stored.updates,
      Array.isArray(stored.updates) &&
        stored.updates.every((u) => typeof u?.message === 'string' && typeof u.at === 'string'),
      Array.isArray(stored.updates)
        ? stored.updates.filter((u) => typeof u?.message === 'string' && typeof u.at === 'string')
        : [],
    ),
  };
  return { incident, problems };
}
