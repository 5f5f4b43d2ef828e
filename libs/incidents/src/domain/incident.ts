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
