import { incident } from '../../../testing/fixtures';
import { barLevel, buildBars, incidentsOnDay, lastDays } from './bar-level';

describe('barLevel', () => {
  it.each([
    [100, 'ok'],
    [99.9, 'ok'],
    [99.89, 'minor'],
    [99, 'minor'],
    [98.99, 'major'],
    [95, 'major'],
    [94.99, 'critical'],
    [0, 'critical'],
  ] as const)('colours %s %% as %s', (uptime, level) => {
    expect(barLevel(uptime)).toBe(level);
  });

  it('greys out days without checks', () => {
    expect(barLevel(null)).toBe('none');
    expect(barLevel(Number.NaN)).toBe('none');
  });
});

describe('incidentsOnDay', () => {
  const outage = incident({
    title: 'Outage',
    serviceIds: ['api'],
    startedAt: '2026-11-20T23:30:00Z',
    resolvedAt: '2026-11-21T00:30:00Z',
  });

  it('finds incidents that overlap the UTC day for that service', () => {
    expect(incidentsOnDay([outage], 'api', '2026-11-20')).toEqual(['Outage']);
    expect(incidentsOnDay([outage], 'api', '2026-11-21')).toEqual(['Outage']);
    expect(incidentsOnDay([outage], 'api', '2026-11-22')).toEqual([]);
    expect(incidentsOnDay([outage], 'web', '2026-11-20')).toEqual([]);
  });

  it('treats an unresolved incident as still ongoing', () => {
    expect(incidentsOnDay([incident({ startedAt: '2026-11-01T00:00:00Z' })], 'api', '2026-11-27')).toHaveLength(1);
  });
});

describe('buildBars', () => {
  it('labels each bar with date, uptime and incidents for assistive technology', () => {
    const [bar] = buildBars([{ date: '2026-11-20', uptime: 98.5 }], 'api', [
      incident({ title: 'Outage', startedAt: '2026-11-20T10:00:00Z', resolvedAt: '2026-11-20T11:00:00Z' }),
    ]);
    expect(bar).toMatchObject({ level: 'major', incidents: ['Outage'] });
    expect(bar?.label).toBe('Nov 20, 2026: 98.50% uptime, 1 incident: Outage');
  });

  it('says "no data" rather than 0 % for a day without checks', () => {
    expect(buildBars([{ date: '2026-11-20', uptime: null }], 'api', [])[0]?.label).toBe(
      'Nov 20, 2026: no data, no incidents',
    );
  });
});

describe('lastDays', () => {
  it('lists the last n UTC days ending today, oldest first', () => {
    expect(lastDays(3, Date.parse('2026-11-27T15:00:00Z'))).toEqual(['2026-11-25', '2026-11-26', '2026-11-27']);
  });
});
