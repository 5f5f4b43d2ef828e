import { incident } from '../../testing/fixtures';
import { historyMonths, incidentEntry } from './history-view';

describe('historyMonths', () => {
  it('groups newest first by month and keeps quiet months in between', () => {
    const months = historyMonths(
      [
        incidentEntry(incident({ id: 'old', startedAt: '2026-09-10T12:00:00Z', resolvedAt: '2026-09-10T13:00:00Z' })),
        incidentEntry(incident({ id: 'new', startedAt: '2026-11-20T12:00:00Z', resolvedAt: null })),
        incidentEntry(incident({ id: 'newer', startedAt: '2026-11-25T12:00:00Z' })),
      ],
      '2026-12',
    );
    expect(months.map((month) => [month.key, month.label, month.entries.map((entry) => entry.id)])).toEqual([
      ['2026-12', 'December 2026', []],
      ['2026-11', 'November 2026', ['newer', 'new']],
      ['2026-10', 'October 2026', []],
      ['2026-09', 'September 2026', ['old']],
    ]);
  });

  it('shows the current month even when nothing happened', () => {
    expect(historyMonths([], '2026-12').map((month) => month.key)).toEqual(['2026-12']);
    expect(historyMonths([], null)).toEqual([]);
  });
});
