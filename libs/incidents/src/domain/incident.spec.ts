import { renderAtomFeed } from '../public/atom-feed.js';
import { renderableIncident, toSummary, type Incident } from './incident.js';

const stored: Incident = {
  id: 'inc-1',
  title: 'Checkout errors',
  status: 'investigating',
  impact: 'major',
  kind: 'manual',
  serviceIds: ['shop'],
  startedAt: '2026-01-10T12:00:00.000Z',
  resolvedAt: null,
  updates: [{ at: '2026-01-10T12:00:00.000Z', status: 'investigating', message: 'Looking.' }],
  lastError: null,
  version: 2,
};

describe('renderableIncident (items stored before the null rule)', () => {
  it('leaves a valid incident exactly as stored', () => {
    expect(renderableIncident(stored)).toEqual({ incident: stored, problems: [] });
  });

  it('replaces a null title and impact, naming each problem, so the Atom feed renders again', () => {
    const broken = { ...stored, title: null, impact: null, serviceIds: null } as unknown as Incident;
    const feed = (incident: Incident) =>
      renderAtomFeed({
        incidents: [toSummary(incident)],
        selfUrl: 'https://status.example.com/api/incidents/feed.atom',
        siteUrl: 'https://status.example.com',
        title: 'Incidents',
        updatedAt: stored.startedAt,
      });
    expect(() => feed(broken)).toThrow(TypeError);
    const { incident, problems } = renderableIncident(broken);
    expect(incident).toMatchObject({ title: '(untitled incident)', impact: 'none', serviceIds: [] });
    expect(problems).toEqual([
      'title: null replaced by "(untitled incident)"',
      'impact: null replaced by "none"',
      'serviceIds: null replaced by []',
    ]);
    expect(feed(incident)).toContain('(untitled incident)');
  });
});
