import type { IncidentImpact, IncidentStatus } from '@app/contracts';

/*
 * Request bodies of the admin incident and maintenance routes. @app/contracts has the response types and
 * ServiceDefinition but not these (they exist only as DTO classes in the API), so they are written down here once,
 * from the DTOs; moving them into @app/contracts (with the DTOs implementing them) would make drift impossible.
 */

/** POST /api/admin/incidents */
export interface CreateIncidentRequest {
  title: string;
  status?: IncidentStatus;
  impact: IncidentImpact;
  serviceIds: string[];
  message: string;
  notify?: boolean;
}

/** POST /api/admin/incidents/:id/updates */
export interface IncidentUpdateRequest {
  status: IncidentStatus;
  message: string;
  notify?: boolean;
}

/** PATCH /api/admin/incidents/:id */
export interface EditIncidentRequest {
  title?: string;
  impact?: IncidentImpact;
  serviceIds?: string[];
}

/** POST /api/admin/maintenance */
export interface MaintenanceRequest {
  title: string;
  serviceIds: string[];
  startsAt: string;
  endsAt: string;
  message: string;
}

export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];
export const INCIDENT_IMPACTS: readonly IncidentImpact[] = ['none', 'minor', 'major', 'critical'];
