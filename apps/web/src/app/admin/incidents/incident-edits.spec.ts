import { adminIncident } from '../../../testing/admin-fixtures';
import { EDIT_GRACE_MS, IncidentEdits, pickIncident } from './incident-edits';

describe('IncidentEdits', () => {
  const server = adminIncident();
  const posted = adminIncident({
    status: 'identified',
    updates: [...server.updates, { at: '2026-11-27T08:10:00.000Z', status: 'identified', message: 'Bad deploy.' }],
  });

  it('shows our just-posted update over an older copy from a cache', () => {
    expect(pickIncident(server, posted, 1_000)).toBe(posted);
  });

  it('goes back to the API once it has more updates or the grace period is over', () => {
    const further = adminIncident({
      updates: [...posted.updates, { ...posted.updates[1]!, message: 'Another admin.' }],
    });
    expect(pickIncident(further, posted, 1_000)).toBe(further);
    expect(pickIncident(server, posted, EDIT_GRACE_MS + 1)).toBe(server);
  });

  it('lists an incident we just created before the API lists it', () => {
    const edits = new IncidentEdits();
    const created = adminIncident({ id: 'inc-new' });
    edits.record(created, 0);
    edits.record(posted, 0);
    expect(edits.apply([server], 1_000).map((incident) => [incident.id, incident.status])).toEqual([
      ['inc-1', 'identified'],
      ['inc-new', 'investigating'],
    ]);
    expect(edits.apply([server], EDIT_GRACE_MS + 1).map((incident) => incident.id)).toEqual(['inc-1']);
    expect(edits.one(null, 'inc-new', 1_000)).toBe(created);
  });
});
