import type { IncidentImpact, IncidentSummary, OverallStatus, ServiceStatus } from '@app/contracts';
import type { IconKind } from '../../shared/state-icon';

const SEVERITY: Record<OverallStatus, number> = {
  operational: 0,
  maintenance: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
};

function impactStatus(impact: IncidentImpact): OverallStatus {
  switch (impact) {
    case 'critical':
      return 'major_outage';
    case 'major':
      return 'partial_outage';
    case 'minor':
      return 'degraded';
    case 'none':
      return 'operational';
  }
}

const worst = (a: OverallStatus, b: OverallStatus): OverallStatus => (SEVERITY[b] > SEVERITY[a] ? b : a);

/**
 * Banner state from the services and open incidents: half or more of the services down is a major outage, any
 * down a partial outage, any degraded is degraded, maintenance shows only when nothing is worse. An open incident
 * raises the banner to its impact (critical → major outage, major → partial, minor → degraded). Services that were
 * never checked (`unknown`) do not move it.
 */
export function computeOverallStatus(
  services: readonly Pick<ServiceStatus, 'state'>[],
  activeIncidents: readonly Pick<IncidentSummary, 'impact' | 'status'>[] = [],
): OverallStatus {
  let overall: OverallStatus = 'operational';
  const down = services.filter((service) => service.state === 'down').length;
  if (down > 0) overall = worst(overall, down * 2 >= services.length ? 'major_outage' : 'partial_outage');
  if (services.some((service) => service.state === 'degraded')) overall = worst(overall, 'degraded');
  if (services.some((service) => service.state === 'maintenance')) overall = worst(overall, 'maintenance');
  for (const incident of activeIncidents) {
    if (incident.status !== 'resolved') overall = worst(overall, impactStatus(incident.impact));
  }
  return overall;
}

/** The server's verdict wins when present; the client computes its own only as a fallback. */
export function resolveOverallStatus(
  serverOverall: OverallStatus | null | undefined,
  services: readonly Pick<ServiceStatus, 'state'>[],
  activeIncidents: readonly Pick<IncidentSummary, 'impact' | 'status'>[] = [],
): OverallStatus {
  return serverOverall ?? computeOverallStatus(services, activeIncidents);
}

export function overallTitle(status: OverallStatus): string {
  switch (status) {
    case 'operational':
      return 'All systems operational';
    case 'degraded':
      return 'Degraded performance';
    case 'partial_outage':
      return 'Partial outage';
    case 'major_outage':
      return 'Major outage';
    case 'maintenance':
      return 'Maintenance in progress';
  }
}

export function overallIcon(status: OverallStatus): IconKind {
  switch (status) {
    case 'operational':
      return 'ok';
    case 'degraded':
      return 'warn';
    case 'partial_outage':
    case 'major_outage':
      return 'error';
    case 'maintenance':
      return 'maintenance';
  }
}
