import type { OverallStatus, ServiceState } from '@app/contracts';

/**
 * Headline of the page from the visible service states: any service down is an outage (major when at least half
 * of the checked services are down), otherwise degraded, otherwise maintenance, otherwise operational.
 * Paused and never-checked (unknown) services do not move the headline.
 */
export function overallStatus(states: ServiceState[]): OverallStatus {
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
