import type { AdminService } from '@app/contracts';
import { service as serviceStatus } from '../../../testing/fixtures';
import { adminService } from '../../../testing/admin-fixtures';
import { buildRows, filterRows, groupsOf, lastCheckText } from './service-rows';

const NOW = Date.parse('2026-11-27T09:00:10.000Z');

describe('service rows', () => {
  const services: AdminService[] = [
    adminService({ id: 'api', group: 'Core', state: 'up' }),
    adminService({ id: 'db', group: 'Data', state: 'down' }),
    adminService({ id: 'web', group: null, state: 'unknown', paused: true }),
    adminService({ id: 'cdn', group: 'Core', state: 'up', source: 'config' }),
  ];

  it('describes the last check from the admin API, or says it is still coming', () => {
    expect(lastCheckText(adminService({ id: 'new', lastCheck: null }), NOW)).toBe('Waiting for first check');
    expect(lastCheckText(adminService({ id: 'new' }), NOW)).toBe('HTTP 200 · 42 ms · 10 s ago');
    expect(
      lastCheckText(
        adminService({ lastCheck: { at: '2026-11-27T09:00:08.000Z', ok: false, latencyMs: 3, error: 'HTTP 503' } }),
        NOW,
      ),
    ).toBe('HTTP 503 · 2 s ago');
    expect(
      lastCheckText(adminService({ lastCheck: { at: '2026-11-27T09:00:00.000Z', ok: true, latencyMs: 7 } }), NOW),
    ).toBe('7 ms · 10 s ago');
    expect(lastCheckText(adminService({ paused: true }), NOW)).toBe('Paused: not checked');
  });

  it("marks a row failing from the admin API's last check, not from the public snapshot", () => {
    const failed = adminService({
      id: 'db',
      lastCheck: { at: '2026-11-27T09:00:08.000Z', ok: false, latencyMs: 3, error: 'HTTP 503' },
    });
    const [row] = buildRows([failed], [serviceStatus({ id: 'db', lastCheck: { ok: true, latencyMs: 3 } })], NOW);
    expect(row?.failing).toBe(true);
    expect(
      buildRows([adminService({ id: 'db', paused: true, lastCheck: failed.lastCheck })], [], NOW)[0]?.failing,
    ).toBe(false);
  });

  it('shows maintenance from the public snapshot over the evaluated state', () => {
    const rows = buildRows(services, [serviceStatus({ id: 'db', state: 'maintenance' })], NOW);
    expect(rows.map((row) => [row.service.id, row.state])).toEqual([
      ['api', 'up'],
      ['db', 'maintenance'],
      ['web', 'unknown'],
      ['cdn', 'up'],
    ]);
  });

  it('filters by group (including "no group") and by state or paused', () => {
    const rows = buildRows(services, [], NOW);
    const ids = (group: string | null, state: Parameters<typeof filterRows>[1]['state']) =>
      filterRows(rows, { group, state }).map((row) => row.service.id);
    expect(ids(null, 'all')).toEqual(['api', 'db', 'web', 'cdn']);
    expect(ids('Core', 'all')).toEqual(['api', 'cdn']);
    expect(ids('', 'all')).toEqual(['web']);
    expect(ids(null, 'down')).toEqual(['db']);
    expect(ids(null, 'paused')).toEqual(['web']);
    // A paused service reports "unknown" but is listed under Paused only.
    expect(ids(null, 'unknown')).toEqual([]);
    expect(ids('Core', 'down')).toEqual([]);
    expect(groupsOf(services)).toEqual(['Core', 'Data', '']);
    expect(filterRows(rows, { group: null, state: 'all', text: ' CD' }).map((row) => row.service.id)).toEqual(['cdn']);
  });
});
