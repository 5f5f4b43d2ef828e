import type { IncidentStatus, IncidentSummary } from '@app/contracts';
import { INCIDENT_STATUSES } from '@app/contracts';

export interface StatusChoice {
  readonly status: IncidentStatus;
  /** Why the API would refuse this status, or null when it is allowed. */
  readonly refusedBecause: string | null;
}

/**
 * The statuses an update may carry, as the API decides them (libs/incidents `assertCanUpdate` and `addUpdate`):
 * never to a resolved incident; forward only (the same status is allowed: a further update); and an open automatic
 * incident resolves itself when its service recovers — the API answers 409 to a manual "resolved" while the monitor
 * holds it open.
 */
export function statusChoices(incident: IncidentSummary, serviceName: (id: string) => string): StatusChoice[] {
  const current = INCIDENT_STATUSES.indexOf(incident.status);
  return INCIDENT_STATUSES.map((status, index) => {
    if (incident.status === 'resolved') return { status, refusedBecause: 'the incident is resolved; open a new one' };
    if (index < current) return { status, refusedBecause: `an update cannot go back from ${incident.status}` };
    if (status === 'resolved' && incident.kind === 'auto') {
      const names = incident.serviceIds.map(serviceName).join(', ') || 'the service';
      return { status, refusedBecause: `it resolves automatically when ${names} recovers` };
    }
    return { status, refusedBecause: null };
  });
}

/** The status a new update starts with: the next step forward that is allowed, else the current one. */
export function suggestedStatus(incident: IncidentSummary, choices: readonly StatusChoice[]): IncidentStatus | null {
  const allowed = choices.filter((choice) => choice.refusedBecause === null).map((choice) => choice.status);
  if (allowed.length === 0) return null;
  const next = allowed.find((status) => status !== incident.status);
  return next ?? allowed[0] ?? null;
}

/** The incident as the public page will show it once `update` is posted: for the preview. */
export function withUpdate(
  incident: IncidentSummary,
  update: { status: IncidentStatus; message: string },
  at: string,
): IncidentSummary {
  return {
    ...incident,
    status: update.status,
    resolvedAt: update.status === 'resolved' ? at : incident.resolvedAt,
    updates: [...incident.updates, { at, status: update.status, message: update.message }],
  };
}
