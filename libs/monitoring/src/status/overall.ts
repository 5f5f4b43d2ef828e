import type { IncidentImpact, IncidentSummary, OverallStatus, ServiceState } from '@app/contracts';

/** Worse headlines rank higher; maintenance ranks just above operational, so it shows only when nothing is worse. */
const RANK: Record<OverallStatus, number> = {
  operational: 0,
  maintenance: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** The headline an open incident of this impact asks for, as Statuspage maps impact to page status. */
function impactHeadline(impact: IncidentImpact): OverallStatus {
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

function fromServices(states: readonly ServiceState[]): OverallStatus {
  let known = 0;
  let down = 0;
  let degraded = 0;
  let maintenance = 0;
  for (const state of states) {
    switch (state) {
      case 'down':
        down += 1;
        known += 1;
        break;
      case 'degraded':
        degraded += 1;
        known += 1;
        break;
      case 'maintenance':
        maintenance += 1;
        known += 1;
        break;
      case 'up':
        known += 1;
        break;
      case 'unknown':
        break;
      default: {
        const unreachable: never = state;
        return unreachable;
      }
    }
  }
  if (down > 0) return down * 2 >= known ? 'major_outage' : 'partial_outage';
  if (degraded > 0) return 'degraded';
  if (maintenance > 0) return 'maintenance';
  return 'operational';
}

/**
 * The page headline — the one rule, computed here on the server; the dashboard only renders it. From the services:
 * any service down is an outage (major when at least half of the checked services are down), otherwise degraded,
 * otherwise maintenance, otherwise operational; paused and never-checked (unknown) services do not move it. An open
 * incident raises it to its impact (critical → major outage, major → partial outage, minor → degraded), so a
 * manual incident while every check passes never reads "All systems operational"; it never lowers it.
 */
export function overallStatus(
  states: readonly ServiceState[],
  incidents: readonly Pick<IncidentSummary, 'impact' | 'status'>[],
): OverallStatus {
  let overall = fromServices(states);
  for (const incident of incidents) {
    if (incident.status === 'resolved') continue;
    const raised = impactHeadline(incident.impact);
    if (RANK[raised] > RANK[overall]) overall = raised;
  }
  return overall;
}
