import type { OverallStatus } from '@app/contracts';
import type { IconKind } from '../../shared/state-icon';

/** Words and icon for the server's headline (libs/monitoring computes it; the dashboard keeps no second rule). */
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
