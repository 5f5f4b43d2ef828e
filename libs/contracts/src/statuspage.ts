/**
 * Atlassian Statuspage's public API v2 (read-only), as its documentation describes it: the shapes our
 * /api/v2/*.json endpoints serve so widgets, bots and aggregators written for Statuspage work against this page.
 * Field names are Statuspage's (snake_case), not ours.
 */

export const STATUSPAGE_COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type StatuspageComponentStatus = (typeof STATUSPAGE_COMPONENT_STATUSES)[number];

/** The page's top-level status indicator. */
export const STATUSPAGE_INDICATORS = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;
export type StatuspageIndicator = (typeof STATUSPAGE_INDICATORS)[number];

export const STATUSPAGE_INCIDENT_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
] as const;
export type StatuspageIncidentStatus = (typeof STATUSPAGE_INCIDENT_STATUSES)[number];

export const STATUSPAGE_MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export type StatuspageMaintenanceStatus = (typeof STATUSPAGE_MAINTENANCE_STATUSES)[number];

/** Incident impact; scheduled maintenances carry `maintenance`. */
export const STATUSPAGE_IMPACTS = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;
export type StatuspageImpact = (typeof STATUSPAGE_IMPACTS)[number];

export interface StatuspagePage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  /** ISO-8601: the newest change anywhere on the page. */
  updated_at: string;
}

export interface StatuspageStatus {
  indicator: StatuspageIndicator;
  /** "All Systems Operational", "Partially Degraded Service", "Partial System Outage", … */
  description: string;
}

export interface StatuspageComponent {
  id: string;
  name: string;
  status: StatuspageComponentStatus;
  created_at: string;
  updated_at: string;
  /** 1-based order among its siblings (top level, or inside its group). */
  position: number;
  description: string | null;
  showcase: boolean;
  /** YYYY-MM-DD, or null. */
  start_date: string | null;
  /** The component group this component belongs to, or null. */
  group_id: string | null;
  page_id: string;
  /** True for a component group; its `components` lists the ids of its members. */
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

export interface StatuspageAffectedComponent {
  code: string;
  name: string;
  old_status: StatuspageComponentStatus;
  new_status: StatuspageComponentStatus;
}

export interface StatuspageIncidentUpdate {
  id: string;
  status: StatuspageIncidentStatus | StatuspageMaintenanceStatus;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: StatuspageAffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: string | null;
  tweet_id: string | null;
}

interface StatuspageEventBase {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  started_at: string;
  /** Link to the event on this status page. */
  shortlink: string;
  page_id: string;
  incident_updates: StatuspageIncidentUpdate[];
  /** The affected components, as they are now. */
  components: StatuspageComponent[];
}

export interface StatuspageIncident extends StatuspageEventBase {
  status: StatuspageIncidentStatus;
  impact: StatuspageImpact;
}

export interface StatuspageScheduledMaintenance extends StatuspageEventBase {
  status: StatuspageMaintenanceStatus;
  impact: StatuspageImpact;
  scheduled_for: string;
  scheduled_until: string;
}

/** GET /api/v2/status.json */
export interface StatuspageStatusResponse {
  page: StatuspagePage;
  status: StatuspageStatus;
}

/** GET /api/v2/components.json */
export interface StatuspageComponentsResponse {
  page: StatuspagePage;
  components: StatuspageComponent[];
}

/** GET /api/v2/incidents.json, /api/v2/incidents/unresolved.json */
export interface StatuspageIncidentsResponse {
  page: StatuspagePage;
  incidents: StatuspageIncident[];
}

/** GET /api/v2/scheduled-maintenances.json, …/upcoming.json, …/active.json */
export interface StatuspageScheduledMaintenancesResponse {
  page: StatuspagePage;
  scheduled_maintenances: StatuspageScheduledMaintenance[];
}

/** GET /api/v2/summary.json: status, every component, unresolved incidents, upcoming and active maintenance. */
export interface StatuspageSummaryResponse {
  page: StatuspagePage;
  status: StatuspageStatus;
  components: StatuspageComponent[];
  incidents: StatuspageIncident[];
  scheduled_maintenances: StatuspageScheduledMaintenance[];
}
