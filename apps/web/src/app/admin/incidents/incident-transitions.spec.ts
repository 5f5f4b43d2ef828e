import { adminIncident } from '../../../testing/admin-fixtures';
import { statusChoices, suggestedStatus, withUpdate } from './incident-transitions';

const name = (id: string) => (id === 'shop' ? 'Shop' : id);
const refused = (choices: ReturnType<typeof statusChoices>) =>
  Object.fromEntries(choices.map((choice) => [choice.status, choice.refusedBecause]));

describe('incident status transitions', () => {
  it('moves a manual incident forward only, allowing a further update at the same status', () => {
    const choices = statusChoices(adminIncident({ status: 'identified' }), name);
    expect(refused(choices)).toEqual({
      investigating: 'an update cannot go back from identified',
      identified: null,
      monitoring: null,
      resolved: null,
    });
    expect(suggestedStatus(adminIncident({ status: 'identified' }), choices)).toBe('monitoring');
  });

  it('never resolves an open automatic incident by hand: it resolves when the service recovers', () => {
    const incident = adminIncident({ kind: 'auto', status: 'investigating', serviceIds: ['shop'] });
    const choices = statusChoices(incident, name);
    expect(refused(choices)['resolved']).toBe('it resolves automatically when Shop recovers');
    expect(refused(choices)['monitoring']).toBeNull();
    expect(suggestedStatus(incident, choices)).toBe('identified');
  });

  it('offers nothing for a resolved incident', () => {
    const incident = adminIncident({ status: 'resolved', resolvedAt: '2026-11-27T09:00:00.000Z' });
    const choices = statusChoices(incident, name);
    expect(choices.every((choice) => choice.refusedBecause === 'the incident is resolved; open a new one')).toBe(true);
    expect(suggestedStatus(incident, choices)).toBeNull();
  });

  it('previews an update as the last entry of the timeline, resolving the incident when it says so', () => {
    const incident = adminIncident();
    const preview = withUpdate(incident, { status: 'resolved', message: 'Fixed.' }, '2026-11-27T10:00:00.000Z');
    expect(preview.status).toBe('resolved');
    expect(preview.resolvedAt).toBe('2026-11-27T10:00:00.000Z');
    expect(preview.updates.at(-1)).toEqual({ at: '2026-11-27T10:00:00.000Z', status: 'resolved', message: 'Fixed.' });
    expect(incident.updates).toHaveLength(1);
  });
});
