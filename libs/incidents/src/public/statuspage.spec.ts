import type { IncidentSummary, MaintenanceWindow, ServiceState, ServiceDetail } from '@app/contracts';
import { statuspageSchemaErrors } from '../../../../test/support/statuspage-schemas.js';
import { newId } from '../domain/incident.js';
import { groupStatus, statuspageDocuments, type StatuspageInput } from './statuspage.js';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const BOOT = '2026-03-10T08:00:00.000Z';
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function service(id: string, state: ServiceState, group: string | null = null, paused = false): ServiceDetail {
  return {
    id,
    name: id.toUpperCase(),
    group,
    state,
    since: state === 'unknown' ? null : iso(NOW - HOUR),
    paused,
    intervalSeconds: 30,
    lastCheck: null,
    uptime: { '24h': 100, '7d': 100, '30d': 100, '90d': 100 },
    slo: { target: 99.9, window: '30d', errorBudgetRemaining: 100 },
  };
}

function incident(id: string, overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id,
    title: `Incident ${id}`,
    status: 'investigating',
    impact: 'major',
    kind: 'manual',
    serviceIds: ['api'],
    startedAt: iso(NOW - 2 * HOUR),
    resolvedAt: null,
    updates: [{ at: iso(NOW - 2 * HOUR), status: 'investigating', message: 'Looking into it.' }],
    ...overrides,
  };
}

function window(id: string, startsAt: number, endsAt: number, serviceIds = ['db']): MaintenanceWindow {
  return { id, title: `Window ${id}`, serviceIds, startsAt: iso(startsAt), endsAt: iso(endsAt), message: 'Upgrade.' };
}

function input(overrides: Partial<StatuspageInput> = {}): StatuspageInput {
  return {
    baseUrl: 'https://status.example.com',
    services: [
      service('edge', 'up'),
      service('api', 'down', 'Core'),
      service('web', 'degraded', 'Core'),
      service('db', 'maintenance', 'Data'),
      service('jobs', 'unknown', null, true),
    ],
    overall: 'partial_outage',
    incidents: [],
    maintenance: [],
    now: NOW,
    since: BOOT,
    ...overrides,
  };
}

describe('Statuspage API v2 documents', () => {
  it('maps service states onto component statuses and groups onto component groups', () => {
    const { components } = statuspageDocuments(input()).components;
    const byName = new Map(components.map((c) => [c.name, c]));
    expect(byName.get('EDGE')).toMatchObject({ status: 'operational', group: false, group_id: null, position: 1 });
    expect(byName.get('API')).toMatchObject({ id: 'api', status: 'major_outage', position: 1 });
    expect(byName.get('WEB')).toMatchObject({ status: 'degraded_performance', position: 2 });
    expect(byName.get('DB')).toMatchObject({ status: 'under_maintenance' });
    expect(byName.get('JOBS')).toMatchObject({
      status: 'operational',
      description: expect.stringMatching(/paused/) as unknown,
    });
    const core = byName.get('Core')!;
    expect(core).toMatchObject({ group: true, components: ['api', 'web'], status: 'partial_outage', position: 2 });
    expect(byName.get('API')?.group_id).toBe(core.id);
    expect(core.id).toMatch(/^[a-z0-9]{12}$/);
    expect(byName.get('Data')).toMatchObject({ group: true, status: 'under_maintenance', components: ['db'] });
  });

  it('rolls a group up: all members down is a major outage, some is partial, else the worst member', () => {
    expect(groupStatus(['major_outage', 'major_outage'])).toBe('major_outage');
    expect(groupStatus(['major_outage', 'operational'])).toBe('partial_outage');
    expect(groupStatus(['operational', 'under_maintenance', 'degraded_performance'])).toBe('degraded_performance');
    expect(groupStatus(['operational', 'under_maintenance'])).toBe('under_maintenance');
  });

  it.each([
    ['operational', 'none', 'All Systems Operational'],
    ['degraded', 'minor', 'Partially Degraded Service'],
    ['partial_outage', 'major', 'Partial System Outage'],
    ['major_outage', 'critical', 'Major System Outage'],
    ['maintenance', 'maintenance', 'Service Under Maintenance'],
  ] as const)('turns the headline %s into indicator %s (%s)', (overall, indicator, description) => {
    expect(statuspageDocuments(input({ overall })).status.status).toEqual({ indicator, description });
  });

  it('lists incidents with their updates newest first, monitoring and resolve times and a shortlink', () => {
    const resolved = incident('inc-old', {
      status: 'resolved',
      impact: 'minor',
      startedAt: iso(NOW - 5 * HOUR),
      resolvedAt: iso(NOW - 3 * HOUR),
      updates: [
        { at: iso(NOW - 5 * HOUR), status: 'investigating', message: 'Slow.' },
        { at: iso(NOW - 4 * HOUR), status: 'monitoring', message: 'Fix deployed.' },
        { at: iso(NOW - 3 * HOUR), status: 'resolved', message: 'All good.' },
      ],
    });
    const docs = statuspageDocuments(input({ incidents: [incident('inc-new'), resolved] }));
    expect(docs.incidents.incidents.map((i) => i.id)).toEqual(['inc-new', 'inc-old']);
    expect(docs.unresolvedIncidents.incidents.map((i) => i.id)).toEqual(['inc-new']);
    expect(docs.summary.incidents.map((i) => i.id)).toEqual(['inc-new']);
    const old = docs.incidents.incidents[1]!;
    expect(old).toMatchObject({
      name: 'Incident inc-old',
      status: 'resolved',
      impact: 'minor',
      created_at: iso(NOW - 5 * HOUR),
      updated_at: iso(NOW - 3 * HOUR),
      monitoring_at: iso(NOW - 4 * HOUR),
      resolved_at: iso(NOW - 3 * HOUR),
      shortlink: 'https://status.example.com/incidents/inc-old',
    });
    expect(old.incident_updates.map((u) => [u.status, u.body])).toEqual([
      ['resolved', 'All good.'],
      ['monitoring', 'Fix deployed.'],
      ['investigating', 'Slow.'],
    ]);
    expect(old.components.map((c) => [c.id, c.status])).toEqual([['api', 'major_outage']]);
  });

  it('keeps incidents.json to the 50 most recent but lists every open incident as unresolved', () => {
    const many = Array.from({ length: 60 }, (_, index) =>
      incident(`inc-${String(index).padStart(2, '0')}`, index === 59 ? {} : { status: 'resolved' }),
    );
    const docs = statuspageDocuments(input({ incidents: many }));
    expect(docs.incidents.incidents).toHaveLength(50);
    expect(docs.unresolvedIncidents.incidents.map((i) => i.id)).toEqual(['inc-59']);
  });

  it('gives maintenance windows their phase: upcoming, active, completed', () => {
    const created = NOW - 24 * HOUR;
    const upcoming = window(newId('mnt', created), NOW + HOUR, NOW + 2 * HOUR);
    const active = window('mnt-active', NOW - HOUR, NOW + HOUR);
    const done = window('mnt-done', NOW - 3 * HOUR, NOW - 2 * HOUR);
    const docs = statuspageDocuments(input({ maintenance: [done, upcoming, active] }));
    expect(docs.upcomingMaintenances.scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([
      [upcoming.id, 'scheduled'],
    ]);
    expect(docs.activeMaintenances.scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([
      ['mnt-active', 'in_progress'],
    ]);
    expect(docs.scheduledMaintenances.scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([
      [upcoming.id, 'scheduled'],
      ['mnt-active', 'in_progress'],
      ['mnt-done', 'completed'],
    ]);
    expect(docs.summary.scheduled_maintenances.map((m) => m.id)).toEqual(['mnt-active', upcoming.id]);
    const scheduled = docs.upcomingMaintenances.scheduled_maintenances[0]!;
    // The window id carries its creation time; the first update is the announcement, posted then.
    expect(scheduled).toMatchObject({
      impact: 'maintenance',
      created_at: iso(created),
      scheduled_for: iso(NOW + HOUR),
      scheduled_until: iso(NOW + 2 * HOUR),
      resolved_at: null,
    });
    const completed = docs.scheduledMaintenances.scheduled_maintenances[2]!;
    expect(completed.resolved_at).toBe(iso(NOW - 2 * HOUR));
    expect(completed.incident_updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
  });

  it('is the same document for the same input (a stable ETag), and page.updated_at is the newest change', () => {
    const a = statuspageDocuments(input({ incidents: [incident('inc-1')] }));
    const b = statuspageDocuments(input({ incidents: [incident('inc-1')] }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.summary.page).toMatchObject({ url: 'https://status.example.com', name: 'status.example.com' });
    expect(a.summary.page.id).toMatch(/^[a-z0-9]{12}$/);
    expect(a.summary.page.updated_at).toBe(iso(NOW - HOUR));
  });

  it('satisfies the JSON Schemas written from Atlassian’s documentation, and the schemas catch a wrong shape', () => {
    const docs = statuspageDocuments(
      input({
        incidents: [incident('inc-1'), incident('inc-2', { status: 'resolved', resolvedAt: iso(NOW) })],
        maintenance: [window('mnt-a', NOW - HOUR, NOW + HOUR), window('mnt-b', NOW + HOUR, NOW + 2 * HOUR)],
      }),
    );
    expect(statuspageSchemaErrors('summary', docs.summary)).toEqual([]);
    expect(statuspageSchemaErrors('status', docs.status)).toEqual([]);
    expect(statuspageSchemaErrors('components', docs.components)).toEqual([]);
    expect(statuspageSchemaErrors('incidents', docs.incidents)).toEqual([]);
    expect(statuspageSchemaErrors('incidents', docs.unresolvedIncidents)).toEqual([]);
    expect(statuspageSchemaErrors('scheduled-maintenances', docs.scheduledMaintenances)).toEqual([]);
    const broken = structuredClone(docs.summary) as unknown as { components: { status: string }[] };
    broken.components[0]!.status = 'down';
    expect(statuspageSchemaErrors('summary', broken)).toEqual([
      expect.stringMatching(/^\/components\/0\/status must be equal to one of the allowed values/),
    ]);
  });
});
