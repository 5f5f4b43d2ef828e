import { Injectable, signal } from '@angular/core';
import type { IncidentSummary } from '@app/contracts';

/** How long the console prefers its own copy of an incident it just changed over an older one from the API. */
export const EDIT_GRACE_MS = 180_000;

/**
 * Which copy of an incident to show: the API's, or the one a change of ours just returned. The public incident
 * endpoints may be served from the CDN for up to 30 s (+ stale-while-revalidate), so right after posting an update
 * the list can still show the incident without it. Ours wins while it is recent, unless the API's copy has caught
 * up (equal) or moved past it (more updates: someone else posted too).
 */
export function pickIncident(server: IncidentSummary, local: IncidentSummary, ageMs: number): IncidentSummary {
  if (ageMs > EDIT_GRACE_MS) return server;
  if (server.updates.length > local.updates.length) return server;
  return local;
}

/** The console's own recent changes to incidents (created, updated, edited), for as long as the CDN may lag. */
@Injectable()
export class IncidentEdits {
  private readonly edits = signal<ReadonlyMap<string, { incident: IncidentSummary; at: number }>>(new Map());

  record(incident: IncidentSummary, now = Date.now()): void {
    this.edits.update((edits) => new Map(edits).set(incident.id, { incident, at: now }));
  }

  /** One incident, server copy or ours. */
  one(server: IncidentSummary | null, id: string, now = Date.now()): IncidentSummary | null {
    const local = this.edits().get(id);
    if (!local) return server;
    if (server === null) return now - local.at <= EDIT_GRACE_MS ? local.incident : null;
    return pickIncident(server, local.incident, now - local.at);
  }

  /** A list from the API with our changes applied, plus incidents we created that it does not list yet. */
  apply(server: readonly IncidentSummary[], now = Date.now()): IncidentSummary[] {
    const edits = this.edits();
    const listed = new Set(server.map((incident) => incident.id));
    const merged = server.map((incident) => this.one(incident, incident.id, now) ?? incident);
    for (const [id, { incident, at }] of edits) {
      if (!listed.has(id) && now - at <= EDIT_GRACE_MS) merged.push(incident);
    }
    return merged;
  }
}
