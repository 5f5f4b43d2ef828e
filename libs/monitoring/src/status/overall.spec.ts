import type { IncidentImpact, IncidentStatus, OverallStatus, ServiceState } from '@app/contracts';
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
    expect(overallStatus(states, [])).toBe(expected);
  });

  it('is a major outage exactly from half of the checked services down', () => {
    const states = (down: number, up: number): ServiceState[] => [
      ...Array<ServiceState>(down).fill('down'),
      ...Array<ServiceState>(up).fill('up'),
    ];
    expect(overallStatus(states(4, 6), [])).toBe('partial_outage');
    expect(overallStatus(states(5, 5), [])).toBe('major_outage');
  });
});

describe('overallStatus with open incidents', () => {
  const open = (impact: IncidentImpact, status: IncidentStatus = 'investigating') => ({ impact, status });

  it.each<[ServiceState[], IncidentImpact, OverallStatus]>([
    // A manual incident while every check passes: the headline must not say "All systems operational".
    [['up', 'up'], 'major', 'partial_outage'],
    [['up', 'up'], 'critical', 'major_outage'],
    [['up', 'up'], 'minor', 'degraded'],
    [['up', 'up'], 'none', 'operational'],
    // Maintenance shows only when nothing is worse; an incident never lowers what the services say.
    [['up', 'maintenance'], 'minor', 'degraded'],
    [['up', 'maintenance'], 'none', 'maintenance'],
    [['down', 'up'], 'minor', 'major_outage'],
    [['down', 'up', 'up'], 'major', 'partial_outage'],
  ])('%j with an open %s incident -> %s', (states, impact, expected) => {
    expect(overallStatus(states, [open(impact)])).toBe(expected);
  });

  it('ignores resolved incidents and takes the worst open one', () => {
    expect(overallStatus(['up'], [open('critical', 'resolved')])).toBe('operational');
    expect(overallStatus(['up'], [open('minor'), open('critical'), open('major')])).toBe('major_outage');
  });
});
