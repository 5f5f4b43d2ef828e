import type { OverallStatus } from '@app/contracts';
import { overallIcon, overallTitle } from './overall-status';

describe('overallTitle and overallIcon', () => {
  it.each<[OverallStatus, string, string]>([
    ['operational', 'All systems operational', 'ok'],
    ['degraded', 'Degraded performance', 'warn'],
    ['partial_outage', 'Partial outage', 'error'],
    ['major_outage', 'Major outage', 'error'],
    ['maintenance', 'Maintenance in progress', 'maintenance'],
  ])('words %s as %j with the %s icon', (status, title, icon) => {
    expect(overallTitle(status)).toBe(title);
    expect(overallIcon(status)).toBe(icon);
  });
});
