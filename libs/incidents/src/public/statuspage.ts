import { createHash } from 'node:crypto';
import type {
  IncidentSummary,
  MaintenanceWindow,
  OverallStatus,
  ServiceDetail,
  ServiceState,
  StatuspageComponent,
  StatuspageComponentStatus,
  StatuspageComponentsResponse,
  StatuspageIncident,
  StatuspageIncidentsResponse,
  StatuspageIncidentUpdate,
  StatuspageMaintenanceStatus,
  StatuspagePage,
  StatuspageScheduledMaintenance,
  StatuspageScheduledMaintenancesResponse,
  StatuspageStatus,
  StatuspageStatusResponse,
  StatuspageSummaryResponse,
} from '@app/contracts';
import { idTime } from '../domain/incident.js';

/**
 * Our page in Atlassian Statuspage's public API v2 shapes. A pure translation of what the page already shows (the
 * status snapshot, the incident cache, the maintenance windows); the README's mapping table documents each rule.
 */

export interface StatuspageInput {
  /** The public page URL without a trailing slash; the page id and shortlinks derive from it. */
  baseUrl: string;
  services: readonly ServiceDetail[];
  overall: OverallStatus;
  /** Every known incident, newest first. */
  incidents: readonly IncidentSummary[];
  /** Every known maintenance window (past ones included), any order. */
  maintenance: readonly MaintenanceWindow[];
  now: number;
  /** When this process started (ISO): the fallback for times we never recorded. */
  since: string;
}

/** The documents of every /api/v2 endpoint, built together from one input. */
export interface StatuspageDocuments {
  summary: StatuspageSummaryResponse;
  status: StatuspageStatusResponse;
  components: StatuspageComponentsResponse;
  incidents: StatuspageIncidentsResponse;
  unresolvedIncidents: StatuspageIncidentsResponse;
  scheduledMaintenances: StatuspageScheduledMaintenancesResponse;
  upcomingMaintenances: StatuspageScheduledMaintenancesResponse;
  activeMaintenances: StatuspageScheduledMaintenancesResponse;
}

/** Statuspage's incidents.json and scheduled-maintenances.json list the 50 most recent. */
export const STATUSPAGE_LIST_LIMIT = 50;

/** A Statuspage-looking id (12 characters of a-z0-9), stable for the same input. */
function shortId(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return [...digest.subarray(0, 12)].map((byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');
}

export function componentStatus(state: ServiceState): StatuspageComponentStatus {
  switch (state) {
    case 'up':
      return 'operational';
    case 'degraded':
      return 'degraded_performance';
    case 'down':
      return 'major_outage';
    case 'maintenance':
      return 'under_maintenance';
    // Never checked or paused: Statuspage has no "unknown", and such a service never moves our headline either.
    case 'unknown':
      return 'operational';
  }
}

const SEVERITY: Record<StatuspageComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** A group is as bad as its worst member, except that some (not all) members down is a partial outage. */
export function groupStatus(members: readonly StatuspageComponentStatus[]): StatuspageComponentStatus {
  const down = members.filter((status) => status === 'major_outage').length;
  if (down > 0) return down === members.length ? 'major_outage' : 'partial_outage';
  return members.reduce<StatuspageComponentStatus>(
    (worst, status) => (SEVERITY[status] > SEVERITY[worst] ? status : worst),
    'operational',
  );
}

/** Our headline as Statuspage's top-level indicator, with the wording Statuspage uses for it. */
export function pageStatus(overall: OverallStatus): StatuspageStatus {
  switch (overall) {
    case 'operational':
      return { indicator: 'none', description: 'All Systems Operational' };
    case 'degraded':
      return { indicator: 'minor', description: 'Partially Degraded Service' };
    case 'partial_outage':
      return { indicator: 'major', description: 'Partial System Outage' };
    case 'major_outage':
      return { indicator: 'critical', description: 'Major System Outage' };
    case 'maintenance':
      return { indicator: 'maintenance', description: 'Service Under Maintenance' };
  }
}

export function maintenancePhase(window: MaintenanceWindow, now: number): StatuspageMaintenanceStatus {
  if (now < Date.parse(window.startsAt)) return 'scheduled';
  return now < Date.parse(window.endsAt) ? 'in_progress' : 'completed';
}

const latest = (times: readonly string[], fallback: string): string =>
  times.reduce((newest, time) => (time > newest ? time : newest), fallback);

function buildComponents(input: StatuspageInput, pageId: string): StatuspageComponent[] {
  const component = (service: ServiceDetail, position: number, groupId: string | null): StatuspageComponent => {
    const updated = service.since ?? input.since;
    const unknown = service.state === 'unknown';
    return {
      id: service.id,
      name: service.name,
      status: componentStatus(service.state),
      created_at: updated < input.since ? updated : input.since,
      updated_at: updated,
      position,
      description: unknown ? (service.paused ? 'Not monitored at the moment (paused).' : 'Not checked yet.') : null,
      showcase: true,
      start_date: null,
      group_id: groupId,
      page_id: pageId,
      group: false,
      only_show_if_degraded: false,
    };
  };
  const out: StatuspageComponent[] = [];
  const groups = new Map<string, StatuspageComponent>();
  let topLevel = 0;
  for (const service of input.services) {
    if (service.group === null) {
      out.push(component(service, (topLevel += 1), null));
      continue;
    }
    let group = groups.get(service.group);
    if (!group) {
      group = {
        ...component(service, (topLevel += 1), null),
        id: shortId(`group:${service.group}`),
        name: service.group,
        description: null,
        group: true,
        components: [],
      };
      groups.set(service.group, group);
      out.push(group);
    }
    const member = component(service, (group.components?.length ?? 0) + 1, group.id);
    group.components?.push(member.id);
    out.push(member);
  }
  for (const group of groups.values()) {
    const members = out.filter((candidate) => candidate.group_id === group.id);
    group.status = groupStatus(members.map((member) => member.status));
    group.created_at = members.reduce((oldest, m) => (m.created_at < oldest ? m.created_at : oldest), input.since);
    group.updated_at = latest(
      members.map((member) => member.updated_at),
      group.created_at,
    );
  }
  return out;
}

function update(
  eventId: string,
  index: number,
  status: StatuspageIncidentUpdate['status'],
  at: string,
  body: string,
): StatuspageIncidentUpdate {
  return {
    id: `${eventId}-${index}`,
    status,
    body,
    incident_id: eventId,
    created_at: at,
    updated_at: at,
    display_at: at,
    // Which components changed with which update is not recorded; the event's `components` lists them.
    affected_components: null,
    deliver_notifications: false,
    custom_tweet: null,
    tweet_id: null,
  };
}

export function statuspageDocuments(input: StatuspageInput): StatuspageDocuments {
  const pageId = shortId(`page:${input.baseUrl}`);
  const components = buildComponents(input, pageId);
  const byId = new Map(components.filter((c) => !c.group).map((c) => [c.id, c]));
  const affected = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const found = byId.get(id);
      return found ? [found] : [];
    });

  const toIncident = (incident: IncidentSummary): StatuspageIncident => {
    const updates = incident.updates.map((u, index) => update(incident.id, index, u.status, u.at, u.message));
    return {
      id: incident.id,
      name: incident.title,
      status: incident.status,
      impact: incident.impact,
      created_at: incident.startedAt,
      updated_at: latest(
        [...incident.updates.map((u) => u.at), ...(incident.resolvedAt ? [incident.resolvedAt] : [])],
        incident.startedAt,
      ),
      monitoring_at: incident.updates.find((u) => u.status === 'monitoring')?.at ?? null,
      resolved_at: incident.resolvedAt,
      started_at: incident.startedAt,
      shortlink: `${input.baseUrl}/incidents/${encodeURIComponent(incident.id)}`,
      page_id: pageId,
      // Newest first, as Statuspage lists them.
      incident_updates: updates.reverse(),
      components: affected(incident.serviceIds),
    };
  };
  const incidents = input.incidents.slice(0, STATUSPAGE_LIST_LIMIT).map(toIncident);
  // Every open incident, even one older than the 50 most recent.
  const unresolved = input.incidents.filter((incident) => incident.status !== 'resolved').map(toIncident);

  const maintenances = [...input.maintenance]
    .sort((a, b) => b.startsAt.localeCompare(a.startsAt) || b.id.localeCompare(a.id))
    .map((window): StatuspageScheduledMaintenance => {
      const phase = maintenancePhase(window, input.now);
      const createdMs = idTime(window.id);
      const created =
        createdMs !== null && createdMs <= Date.parse(window.startsAt)
          ? new Date(createdMs).toISOString()
          : window.startsAt;
      const updates = [update(window.id, 0, 'scheduled', created, window.message)];
      if (phase !== 'scheduled')
        updates.push(update(window.id, 1, 'in_progress', window.startsAt, 'Scheduled maintenance is in progress.'));
      if (phase === 'completed')
        updates.push(update(window.id, 2, 'completed', window.endsAt, 'Scheduled maintenance has been completed.'));
      return {
        id: window.id,
        name: window.title,
        status: phase,
        impact: 'maintenance',
        created_at: created,
        updated_at: updates.at(-1)?.created_at ?? created,
        monitoring_at: null,
        resolved_at: phase === 'completed' ? window.endsAt : null,
        started_at: window.startsAt,
        // The page has no per-window address; the page itself shows upcoming and active windows.
        shortlink: input.baseUrl,
        page_id: pageId,
        incident_updates: updates.reverse(),
        components: affected(window.serviceIds),
        scheduled_for: window.startsAt,
        scheduled_until: window.endsAt,
      };
    });
  const upcoming = maintenances.filter((m) => m.status === 'scheduled').reverse(); // soonest first
  const active = maintenances.filter((m) => m.status === 'in_progress');

  const page: StatuspagePage = {
    id: pageId,
    name: new URL(input.baseUrl).host,
    url: input.baseUrl,
    time_zone: 'Etc/UTC',
    updated_at: latest(
      [
        ...components.map((c) => c.updated_at),
        ...incidents.map((i) => i.updated_at),
        ...maintenances.filter((m) => m.status !== 'scheduled').map((m) => m.updated_at),
        ...maintenances.map((m) => m.created_at),
      ],
      input.since,
    ),
  };
  const status = pageStatus(input.overall);
  return {
    summary: {
      page,
      status,
      components,
      incidents: unresolved,
      scheduled_maintenances: [...active, ...upcoming],
    },
    status: { page, status },
    components: { page, components },
    incidents: { page, incidents },
    unresolvedIncidents: { page, incidents: unresolved },
    scheduledMaintenances: { page, scheduled_maintenances: maintenances.slice(0, STATUSPAGE_LIST_LIMIT) },
    upcomingMaintenances: { page, scheduled_maintenances: upcoming },
    activeMaintenances: { page, scheduled_maintenances: active },
  };
}
