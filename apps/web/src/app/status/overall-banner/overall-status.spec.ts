import { incident } from '../../../testing/fixtures';
import { computeOverallStatus, overallTitle, resolveOverallStatus } from './overall-status';

const states = (...list: ('up' | 'degraded' | 'down' | 'unknown' | 'maintenance')[]) =>
  list.map((state) => ({ state }));

describe('computeOverallStatus', () => {
  it('is operational when every service is up', () => {
    expect(computeOverallStatus(states('up', 'up', 'up'))).toBe('operational');
  });

  it('is operational with no services and ignores services never checked', () => {
    expect(computeOverallStatus([])).toBe('operational');
    expect(computeOverallStatus(states('up', 'unknown'))).toBe('operational');
  });

  it('is degraded when any service is degraded', () => {
    expect(computeOverallStatus(states('up', 'degraded', 'up'))).toBe('degraded');
  });

  it('is a partial outage when fewer than half the services are down', () => {
    expect(computeOverallStatus(states('up', 'up', 'down'))).toBe('partial_outage');
  });

  it('is a major outage when half or more of the services are down', () => {
    expect(computeOverallStatus(states('up', 'down'))).toBe('major_outage');
    expect(computeOverallStatus(states('down', 'down', 'degraded'))).toBe('major_outage');
  });

  it('shows maintenance only when nothing is worse', () => {
    expect(computeOverallStatus(states('up', 'maintenance'))).toBe('maintenance');
    expect(computeOverallStatus(states('degraded', 'maintenance'))).toBe('degraded');
  });

  it('raises the banner to the impact of an open incident', () => {
    expect(computeOverallStatus(states('up'), [incident({ impact: 'critical' })])).toBe('major_outage');
    expect(computeOverallStatus(states('up'), [incident({ impact: 'major' })])).toBe('partial_outage');
    expect(computeOverallStatus(states('up'), [incident({ impact: 'minor' })])).toBe('degraded');
    expect(computeOverallStatus(states('up'), [incident({ impact: 'critical', status: 'resolved' })])).toBe(
      'operational',
    );
  });
});

describe('resolveOverallStatus', () => {
  it("prefers the server's verdict", () => {
    expect(resolveOverallStatus('maintenance', states('down'))).toBe('maintenance');
  });

  it('computes its own when the server gives none', () => {
    expect(resolveOverallStatus(null, states('down'))).toBe('major_outage');
  });
});

describe('overallTitle', () => {
  it('has a sentence for every banner state', () => {
    expect(overallTitle('operational')).toBe('All systems operational');
    expect(overallTitle('partial_outage')).toBe('Partial outage');
  });
});
