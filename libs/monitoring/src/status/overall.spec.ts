import type { OverallStatus, ServiceState } from '@app/contracts';
import { overallStatus } from './overall.js';

describe('overallStatus', () => {
  it.each<[ServiceState[], OverallStatus]>([
    [[], 'operational'],
    [['up', 'up'], 'operational'],
    [['unknown'], 'operational'],
    [['up', 'unknown', 'unknown'], 'operational'],
    [['up', 'degraded'], 'degraded'],
    [['up', 'maintenance'], 'maintenance'],
    [['maintenance', 'degraded'], 'degraded'],
    [['down', 'up', 'up'], 'partial_outage'],
    [['down', 'degraded', 'up', 'up'], 'partial_outage'],
    [['down', 'up'], 'major_outage'],
    [['down', 'down', 'up'], 'major_outage'],
    [['down'], 'major_outage'],
    [['down', 'maintenance'], 'major_outage'],
    // unknown (never checked or paused) services do not dilute an outage
    [['down', 'up', 'unknown', 'unknown', 'unknown'], 'major_outage'],
    [['down', 'up', 'up', 'unknown'], 'partial_outage'],
  ])('%j -> %s', (states, expected) => {
    expect(overallStatus(states)).toBe(expected);
  });

  it('is a major outage exactly from half of the checked services down', () => {
    const states = (down: number, up: number): ServiceState[] => [
      ...Array<ServiceState>(down).fill('down'),
      ...Array<ServiceState>(up).fill('up'),
    ];
    expect(overallStatus(states(4, 6))).toBe('partial_outage');
    expect(overallStatus(states(5, 5))).toBe('major_outage');
  });
});
