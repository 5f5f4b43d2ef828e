import { incident } from '../../../testing/fixtures';
import { pastIncidentDays } from './incident-view';

describe('pastIncidentDays', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  it('lists the last 14 UTC days newest first, empty days included', () => {
    const days = pastIncidentDays([], now);
    expect(days).toHaveLength(14);
    expect(days[0]?.date).toBe('2026-11-27');
    expect(days[13]?.date).toBe('2026-11-14');
  });

  it('files resolved incidents under the day they started and leaves out open or older ones', () => {
    const resolved = incident({
      id: 'r',
      status: 'resolved',
      startedAt: '2026-11-25T08:00:00Z',
      resolvedAt: '2026-11-25T09:00:00Z',
    });
    const open = incident({ id: 'o', startedAt: '2026-11-26T08:00:00Z' });
    const old = incident({
      id: 'x',
      status: 'resolved',
      startedAt: '2026-10-01T08:00:00Z',
      resolvedAt: '2026-10-01T09:00:00Z',
    });
    const days = pastIncidentDays([resolved, open, old], now);
    expect(days.find((day) => day.date === '2026-11-25')?.incidents.map((i) => i.id)).toEqual(['r']);
    expect(days.flatMap((day) => day.incidents).map((i) => i.id)).toEqual(['r']);
  });
});
