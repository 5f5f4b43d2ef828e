import type { MonitoredService } from '../catalog/service-definition.js';
import type { EvaluationState } from '../evaluation/evaluate.js';
import { dayOf, type DailyRollup } from '../history/rollup.js';
import { MonitoringEvents } from '../monitoring.events.js';
import { MaintenanceCache } from '../maintenance/maintenance-cache.js';
import { MonitorService } from '../monitor.service.js';
import { jest } from '@jest/globals';
import type { StoredCheck } from '../ports.js';
import type { StatusResponse } from '@app/contracts';
import {
  dayRollup,
  FakeActiveIncidents,
  FakeProber,
  FakeShardLeases,
  InMemoryCheckStore,
  InMemoryStateAndRollupStore,
  maintenanceWindow,
  monitoredService,
} from '../testing/index.js';
import { StatusSnapshotService, statusJson } from './status-snapshot.service.js';
import { PageSettings } from './page-settings.js';

/** A stored rollup holding `checks` checks (the first `failures` of them failed) in one hour of a day. */
const rollupFor = (
  serviceId: string,
  day: string,
  hour: number,
  checks: number,
  failures: number,
  into?: DailyRollup,
) => dayRollup(serviceId, day, { hour, checks, failures }, into);

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);

function service(id: string, overrides: Partial<MonitoredService> = {}): MonitoredService {
  return monitoredService(id, { url: `https://${id}.example.com/`, ...overrides });
}

const up = (since: number): EvaluationState => ({
  state: 'up',
  since,
  failStreak: 0,
  badStreak: 0,
  okStreak: 3,
  fastStreak: 3,
});

/** A failed check of 'api' 30 s before NOW (the service still up: one failure opens nothing). */
const failed503 = (): StoredCheck => ({
  serviceId: 'api',
  at: NOW - 30_000,
  ok: false,
  latencyMs: 800,
  statusCode: 503,
  error: 'HTTP 503',
  state: 'up',
  maintenance: false,
});

describe('StatusSnapshotService', () => {
  let checks: InMemoryCheckStore;
  let states: InMemoryStateAndRollupStore;
  let maintenance: MaintenanceCache;
  let incidents: FakeActiveIncidents;
  let monitor: MonitorService;
  let snapshot: StatusSnapshotService;

  /** The runner over this spec's stores; `leases` decides whether it checks (owns shards) or only shows. */
  const runner = (leases: FakeShardLeases) =>
    new MonitorService(
      new FakeProber(NOW),
      checks,
      states,
      maintenance,
      new MonitoringEvents(),
      {
        concurrency: 4,
        recentChecks: 30,
        rollupFlushChecks: 10,
        rollupFlushMs: 30 * 60_000,
        historyDays: 90,
        bootConcurrency: 2,
        probeThread: false,
        storedPageEveryMs: 0,
      },
      leases,
    );

  beforeEach(() => {
    checks = new InMemoryCheckStore();
    states = new InMemoryStateAndRollupStore();
    maintenance = new MaintenanceCache();
    incidents = new FakeActiveIncidents();
    monitor = runner(new FakeShardLeases());
    snapshot = new StatusSnapshotService(monitor, incidents, maintenance);
  });

  afterEach(() => monitor.shutdown(0));

  describe('uptime and SLO numbers from the rollups', () => {
    beforeEach(async () => {
      const yesterday = rollupFor('api', '2026-01-30', 5, 10, 5); // 05:00 yesterday: outside the last 24 h
      rollupFor('api', '2026-01-30', 20, 10, 2, yesterday); // 20:00 yesterday: inside
      states.seed(
        rollupFor('api', '2026-01-31', 11, 10, 1),
        yesterday,
        rollupFor('api', '2026-01-25', 3, 100, 10), // 7 days back, today included
        rollupFor('api', '2026-01-10', 3, 100, 50), // within 30 days
        rollupFor('api', '2025-11-10', 3, 30, 30), // within 90 days
        rollupFor('api', '2025-10-01', 3, 30, 30), // older than 90 days: never loaded
      );
      states.states.set('api', up(NOW - 2 * HOUR));
      await monitor.load([service('api')], NOW);
    });

    it('gives uptime over the last 24 h, 7, 30 and 90 days, rounded down to 3 decimals', () => {
      const api = snapshot.currentServices(NOW)[0]!;
      expect(api.uptime).toEqual({
        '24h': 85, // 20 checks, 3 failures
        '7d': 86.153, // 130 checks, 18 failures
        '30d': 70.434, // 230 checks, 68 failures
        '90d': 62.307, // 260 checks, 98 failures
      });
      // The overview's document carries the two windows the overview shows; the detail has all four.
      expect(snapshot.currentStatus(NOW).data.services[0]!.uptime).toEqual({ '30d': 70.434, '90d': 62.307 });
      expect(snapshot.detail('api', NOW)!.data.service.uptime).toEqual(api.uptime);
    });

    it('shows one bar per day for 90 days with checks, failures and mean latency', () => {
      const detail = snapshot.detail('api', NOW)!.data;
      expect(detail.bars).toHaveLength(90);
      expect(detail.bars.at(-1)).toEqual({
        date: '2026-01-31',
        uptime: 90,
        checks: 10,
        failures: 1,
        avgLatencyMs: 105, // successful checks had 101..109 ms
      });
      expect(detail.bars.at(-2)).toMatchObject({ date: '2026-01-30', uptime: 65, checks: 20, failures: 7 });
      expect(detail.bars.at(-3)).toEqual({
        date: '2026-01-29',
        uptime: null,
        checks: 0,
        failures: 0,
        avgLatencyMs: null,
      });
      const history = snapshot.currentHistory(NOW).data;
      expect(history.days.at(-1)).toBe('2026-01-31');
      expect(history.services.api!.bars).toEqual(detail.bars.map((bar) => bar.uptime));
    });

    it('spends the error budget in proportion to the failures in the SLO window', async () => {
      for (const [id, failures] of [
        ['within', 4],
        ['spent', 10],
        ['overspent', 20],
      ] as const) {
        states.seed(rollupFor(id, '2026-01-28', 8, 1000, failures));
        await monitor.load([service(id, { slo: { target: 99, windowDays: 7 } })], NOW);
      }
      await monitor.load([service('nodata', { slo: { target: 99.5, windowDays: 30 } })], NOW);
      const slo = (id: string) => snapshot.currentServices(NOW).find((s) => s.id === id)!.slo;
      expect(slo('within')).toEqual({ target: 99, window: '7d', errorBudgetRemaining: 60 });
      expect(slo('spent')).toEqual({ target: 99, window: '7d', errorBudgetRemaining: 0 });
      expect(slo('overspent')).toEqual({ target: 99, window: '7d', errorBudgetRemaining: -100 });
      expect(slo('nodata')).toEqual({ target: 99.5, window: '30d', errorBudgetRemaining: null });
    });

    it('counts only the SLO window: failures older than the window do not spend the budget', async () => {
      states.seed(rollupFor('weekly', '2026-01-20', 8, 100, 100), rollupFor('weekly', '2026-01-30', 8, 100, 0));
      await monitor.load([service('weekly', { slo: { target: 99, windowDays: 7 } })], NOW);
      const weekly = snapshot.currentServices(NOW).find((s) => s.id === 'weekly')!;
      expect(weekly.slo.errorBudgetRemaining).toBe(100);
      expect(weekly.uptime['30d']).toBe(50);
    });
  });

  describe('the /api/status document: what the overview shows, the rest in the detail', () => {
    beforeEach(async () => {
      states.states.set('api', up(NOW - HOUR));
      checks.items.push(failed503());
      await monitor.load(
        [
          service('api', { group: 'Core' }),
          service('web', { paused: true }),
          service('weekly', { slo: { target: 99, windowDays: 7 } }),
        ],
        NOW,
      );
    });

    it('leaves out defaults and what only the detail page shows, and names the defaults once', () => {
      const status = snapshot.currentStatus(NOW).data;
      expect(status.defaults).toEqual({ slo: { target: 99.9, window: '30d' } });
      const [api, web, weekly] = status.services;
      expect(api).toEqual({
        id: 'api',
        name: 'API',
        group: 'Core',
        state: 'up',
        lastCheck: { ok: false, latencyMs: 800, error: 'HTTP 503', reason: 'service unavailable (HTTP 503)' },
        uptime: { '30d': 0, '90d': 0 },
        errorBudgetRemaining: -99_900,
      });
      expect(web).toEqual({
        id: 'web',
        name: 'WEB',
        state: 'unknown',
        paused: true,
        lastCheck: null,
        uptime: { '30d': null, '90d': null },
        errorBudgetRemaining: null,
      });
      expect(weekly).toMatchObject({ id: 'weekly', slo: { target: 99, window: '7d' } });
      // The body is the document as sent: nothing the type leaves out sneaks into the bytes.
      expect(JSON.parse(snapshot.currentStatus(NOW).body.toString('utf8'))).toEqual(status);
    });

    it('keeps every field in the full records and the detail, built from the same snapshot', () => {
      const full = snapshot.currentServices(NOW);
      expect(full.map((service) => service.id)).toEqual(snapshot.currentStatus(NOW).data.services.map((s) => s.id));
      expect(full[0]).toMatchObject({
        group: 'Core',
        since: new Date(NOW - HOUR).toISOString(),
        paused: false,
        intervalSeconds: 30,
        lastCheck: { at: new Date(NOW - 30_000).toISOString(), statusCode: 503 },
        slo: { target: 99.9, window: '30d', errorBudgetRemaining: -99_900 },
      });
      expect(full[1]).toMatchObject({ group: null, paused: true });
      expect(snapshot.detail('api', NOW)!.data.service).toEqual(full[0]);
    });
  });

  describe('service states', () => {
    it('reports the evaluated state, since and last check', async () => {
      states.states.set('api', up(NOW - HOUR));
      checks.items.push(failed503());
      await monitor.load([service('api')], NOW);
      const api = snapshot.currentServices(NOW)[0]!;
      expect(api).toMatchObject({
        id: 'api',
        name: 'API',
        state: 'up',
        since: new Date(NOW - HOUR).toISOString(),
        paused: false,
        intervalSeconds: 30,
        lastCheck: {
          at: new Date(NOW - 30_000).toISOString(),
          ok: false,
          latencyMs: 800,
          statusCode: 503,
          error: 'HTTP 503',
        },
      });
    });

    it('shows a paused service as unknown, whatever its last state, and keeps it out of the headline', async () => {
      states.states.set('api', {
        ...up(NOW - HOUR),
        state: 'down',
        failStreak: 3,
        badStreak: 3,
        okStreak: 0,
        fastStreak: 0,
      });
      states.states.set('web', up(NOW - HOUR));
      await monitor.load([service('api', { paused: true }), service('web')], NOW);
      const status = snapshot.currentStatus(NOW).data;
      expect(status.services.find((s) => s.id === 'api')).toMatchObject({ state: 'unknown', paused: true });
      expect(status.overall).toBe('operational');
    });

    it('shows a service in a maintenance window as maintenance, unless it is paused', async () => {
      states.states.set('api', up(NOW - HOUR));
      states.states.set('web', up(NOW - HOUR));
      maintenance.set([maintenanceWindow(['api', 'web'], NOW - HOUR, NOW + HOUR)]);
      await monitor.load([service('api'), service('web', { paused: true })], NOW);
      const status = snapshot.currentStatus(NOW).data;
      expect(status.services.map((s) => [s.id, s.state])).toEqual([
        ['api', 'maintenance'],
        ['web', 'unknown'],
      ]);
      expect(status.overall).toBe('maintenance');
    });

    it('shows a never-checked service as unknown with no since and no last check', async () => {
      await monitor.load([service('api')], NOW);
      expect(snapshot.currentServices(NOW)[0]).toMatchObject({
        state: 'unknown',
        since: null,
        lastCheck: null,
        uptime: { '24h': null, '7d': null, '30d': null, '90d': null },
      });
    });

    it('lists services in the display order: groups by first appearance, services in the file order', async () => {
      const page = new PageSettings();
      page.setFileOrder(['z', 'a', 'm', 'b']);
      snapshot = new StatusSnapshotService(monitor, incidents, maintenance, page);
      await monitor.load(
        [
          service('z', { name: 'Zeta', group: 'Core' }),
          service('a', { name: 'Alpha', group: 'Edge' }),
          service('m', { name: 'Mu', group: null }),
          service('b', { name: 'Beta', group: 'Core' }),
          service('api-made', { name: 'Aardvark', group: 'Edge' }),
        ],
        NOW,
      );
      // Not alphabetical: the file's order, the API-created service after the file's services of its group.
      expect(snapshot.currentStatus(NOW).data.services.map((s) => s.name)).toEqual([
        'Zeta',
        'Beta',
        'Alpha',
        'Aardvark',
        'Mu',
      ]);
      page.set(page.page, { groups: ['Edge'], services: ['b'] });
      snapshot.refresh(NOW + 1000, true);
      expect(snapshot.currentStatus(NOW + 1000).data.services.map((s) => s.name)).toEqual([
        'Alpha',
        'Aardvark',
        'Beta',
        'Zeta',
        'Mu',
      ]);
    });

    it('includes the active incidents and the current and upcoming maintenance windows', async () => {
      const window = maintenanceWindow(['api'], NOW + DAY, NOW + DAY + HOUR);
      maintenance.set([maintenanceWindow(['api'], NOW - 2 * HOUR, NOW - HOUR), window]);
      await monitor.load([service('api')], NOW);
      expect(snapshot.currentStatus(NOW).data).toMatchObject({ activeIncidents: [], upcomingMaintenance: [window] });
    });

    it('raises the headline to the impact of an open incident while every check passes', async () => {
      states.states.set('api', up(NOW - HOUR));
      incidents.incidents = [
        {
          id: 'inc-manual',
          title: 'Payments delayed',
          status: 'identified',
          impact: 'major',
          kind: 'manual',
          serviceIds: ['api'],
          startedAt: new Date(NOW - HOUR).toISOString(),
          resolvedAt: null,
          updates: [],
        },
      ];
      await monitor.load([service('api')], NOW);
      const status = snapshot.currentStatus(NOW).data;
      expect(status.services.map((s) => s.state)).toEqual(['up']);
      expect(status.overall).toBe('partial_outage');
    });

    it('returns no detail for an unknown id', () => {
      expect(snapshot.detail('missing', NOW)).toBeNull();
    });
  });

  describe('ETag', () => {
    beforeEach(async () => {
      states.states.set('api', up(NOW - HOUR));
      states.seed(rollupFor('api', dayOf(NOW), 10, 10, 0));
      await monitor.load([service('api')], NOW);
    });

    it('is a quoted hash of the body', () => {
      const doc = snapshot.currentStatus(NOW);
      expect(doc.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
      expect(JSON.parse(doc.body.toString())).toEqual(doc.data);
    });

    it('stays the same while nothing changes', () => {
      const first = snapshot.currentStatus(NOW);
      snapshot.refresh(NOW + 1_000);
      snapshot.refresh(NOW + 10_000);
      expect(snapshot.currentStatus(NOW + 10_000).etag).toBe(first.etag);
    });

    it('is the same for the same data at the same time (a second replica agrees)', () => {
      const other = new StatusSnapshotService(monitor, incidents, maintenance);
      expect(other.currentStatus(NOW).etag).toBe(snapshot.currentStatus(NOW).etag);
      expect(snapshot.detail('api', NOW)!.etag).toBe(snapshot.detail('api', NOW)!.etag);
    });

    it('changes when the runner changes something shown', () => {
      const before = snapshot.currentStatus(NOW).etag;
      monitor.upsert(service('web'), NOW);
      snapshot.refresh(NOW + 1_000);
      const after = snapshot.currentStatus(NOW + 1_000);
      expect(after.etag).not.toBe(before);
      expect(after.data.services.map((s) => s.id)).toEqual(['api', 'web']);
    });

    it('changes at once when the maintenance windows change', () => {
      const before = snapshot.currentStatus(NOW).etag;
      maintenance.set([maintenanceWindow(['api'], NOW + DAY, NOW + DAY + HOUR)]);
      snapshot.refresh(NOW + 1_000);
      expect(snapshot.currentStatus(NOW + 1_000).etag).not.toBe(before);
      expect(snapshot.currentStatus(NOW + 1_000).data.upcomingMaintenance).toHaveLength(1);
    });

    it('changes when the active incidents change', () => {
      const before = snapshot.currentStatus(NOW).etag;
      incidents.incidents = [
        {
          id: 'i1',
          title: 'API errors',
          status: 'investigating',
          impact: 'major',
          kind: 'auto',
          serviceIds: ['api'],
          startedAt: new Date(NOW).toISOString(),
          resolvedAt: null,
          updates: [],
        },
      ];
      incidents.bump();
      snapshot.refresh(NOW + 1_000);
      expect(snapshot.currentStatus(NOW + 1_000).etag).not.toBe(before);
      expect(snapshot.currentStatus(NOW + 1_000).data.activeIncidents).toHaveLength(1);
    });

    it('shows an incident or maintenance change on the very next read, without waiting for a refresh', () => {
      const first = snapshot.currentStatus(NOW);
      incidents.incidents = [
        {
          id: 'i1',
          title: 'API errors',
          status: 'investigating',
          impact: 'minor',
          kind: 'manual',
          serviceIds: ['api'],
          startedAt: new Date(NOW).toISOString(),
          resolvedAt: null,
          updates: [],
        },
      ];
      incidents.bump();
      // 50 ms later: well within the scheduler's 200 ms between rebuilds, and no refresh() call in between.
      const afterIncident = snapshot.currentStatus(NOW + 50);
      expect(afterIncident.etag).not.toBe(first.etag);
      expect(afterIncident.data.activeIncidents.map((incident) => incident.id)).toEqual(['i1']);
      maintenance.set([maintenanceWindow(['api'], NOW + DAY, NOW + DAY + HOUR)]);
      expect(snapshot.currentStatus(NOW + 60).data.upcomingMaintenance).toHaveLength(1);
      // Check results keep the scheduler's pace: the runner's changes wait for its next refresh.
      monitor.upsert(service('web'), NOW + 70);
      expect(snapshot.currentStatus(NOW + 70).data.services.map((s) => s.id)).toEqual(['api']);
    });

    it('serves a stored page as it was stored until the first refresh, whatever changes meanwhile', () => {
      const stored = { ...snapshot.currentStatus(NOW).data, generatedAt: new Date(NOW - HOUR).toISOString() };
      const fresh = new StatusSnapshotService(monitor, incidents, maintenance);
      fresh.serveStored(stored, NOW - HOUR);
      incidents.bump();
      maintenance.set([maintenanceWindow(['api'], NOW + DAY, NOW + DAY + HOUR)]);
      const served = fresh.currentStatus(NOW);
      expect([fresh.isStored, served.data, served.builtAt]).toEqual([true, stored, NOW - HOUR]);
      expect(served.body.toString()).toBe(JSON.stringify(stored));
      fresh.refresh(NOW + 10);
      expect(fresh.isStored).toBe(false);
      expect(fresh.currentStatus(NOW + 10).data.generatedAt).toBe(new Date(NOW + 10).toISOString());
      expect(fresh.currentStatus(NOW + 10).data.upcomingMaintenance).toHaveLength(1);
    });

    it('is rebuilt at least every 15 s so maintenance windows that start show up', () => {
      maintenance.set([maintenanceWindow(['api'], NOW + 10_000, NOW + HOUR)]);
      const before = snapshot.currentStatus(NOW);
      snapshot.refresh(NOW + 14_999);
      expect(snapshot.currentStatus(NOW + 14_999).data.services[0]!.state).toBe('up');
      snapshot.refresh(NOW + 15_000);
      const after = snapshot.currentStatus(NOW + 15_000);
      expect(after.data.services[0]!.state).toBe('maintenance');
      expect(after.etag).not.toBe(before.etag);
    });

    it('rebuilds the history document once a minute or when a service is added or removed', () => {
      const first = snapshot.currentHistory(NOW);
      expect(snapshot.currentHistory(NOW + 59_999)).toBe(first);
      monitor.upsert(service('web'), NOW);
      const grown = snapshot.currentHistory(NOW + 1_000);
      expect(grown.etag).not.toBe(first.etag);
      expect(Object.keys(grown.data.services)).toEqual(['api', 'web']);
      expect(snapshot.currentHistory(NOW + 61_000)).not.toBe(grown);
    });

    it('lists the new id at once when one service is deleted and another created (same size)', () => {
      monitor.upsert(service('web'), NOW);
      expect(Object.keys(snapshot.currentHistory(NOW).data.services)).toEqual(['api', 'web']);
      monitor.remove('web');
      monitor.upsert(service('docs'), NOW);
      expect(Object.keys(snapshot.currentHistory(NOW + 1_000).data.services)).toEqual(['api', 'docs']);
    });
  });

  describe('rebuilt from the services that changed', () => {
    /** Another replica's runner: it works no shard, so checks arrive as they do from the change feed. */
    let observer: MonitorService;
    const remoteCheck = (serviceId: string, at: number, ok = true): StoredCheck => ({
      serviceId,
      at,
      ok,
      latencyMs: ok ? 42 : 3000,
      ...(ok ? {} : { error: 'timeout' }),
      state: 'up',
      maintenance: false,
    });

    beforeEach(async () => {
      observer = runner(new FakeShardLeases(false));
      for (const id of ['api', 'web', 'db']) states.states.set(id, up(NOW - HOUR));
      await observer.load([service('api'), service('web'), service('db')], NOW);
      snapshot = new StatusSnapshotService(observer, incidents, maintenance);
    });

    afterEach(() => observer.shutdown(0));

    it('serialises again only the services whose inputs changed, and shows every change', () => {
      const first = snapshot.currentStatus(NOW).data.services;
      observer.applyRemote([remoteCheck('api', NOW + 500, false)], NOW + 500);
      snapshot.refresh(NOW + 1_000, true);
      let doc = snapshot.currentStatus(NOW + 1_000);
      expect(doc.data.services[0]).toMatchObject({ id: 'api', lastCheck: { ok: false, error: 'timeout' } });
      expect(doc.data.services.slice(1)).toEqual(first.slice(1)); // db, web (by name): nothing changed…
      expect(doc.data.services[1]).toBe(first[1]); // …so their entries are the ones built before
      expect(doc.data.services[2]).toBe(first[2]);
      expect(doc.body.toString()).toBe(JSON.stringify(doc.data));

      observer.upsert(service('web', { name: 'Aardvark' }), NOW + 1_000); // an admin edit replaces the service
      maintenance.set([maintenanceWindow(['db'], NOW, NOW + HOUR)]);
      snapshot.refresh(NOW + 2_000, true);
      doc = snapshot.currentStatus(NOW + 2_000);
      expect(doc.data.services.map((s) => [s.name, s.state])).toEqual([
        ['Aardvark', 'up'], // sorted again: the name changed
        ['API', 'up'],
        ['DB', 'maintenance'],
      ]);
      expect(doc.body.toString()).toBe(JSON.stringify(doc.data));

      // Time alone: api's last check grows stale (two intervals + the lease), the others were never checked here.
      const staleAt = NOW + 500 + 2 * 30_000 + 15_000;
      snapshot.refresh(staleAt + 1, true);
      doc = snapshot.currentStatus(staleAt + 1);
      expect(doc.data.services[1]).toMatchObject({ id: 'api', stale: true });
      expect(doc.body.toString()).toBe(JSON.stringify(doc.data));
    });

    it('moves the 24-hour uptime of the detail with the hour, without a new check', () => {
      // A daily check: it does not turn stale within the 25 hours below, so only the clock changes.
      observer.upsert(service('api', { intervalMs: DAY }), NOW);
      observer.applyRemote([remoteCheck('api', NOW + 500, false)], NOW + 500);
      expect(snapshot.currentServices(NOW + 1_000)[0]!.uptime['24h']).toBe(0);
      snapshot.refresh(NOW + 25 * HOUR, true);
      const api = snapshot.currentServices(NOW + 25 * HOUR)[0]!;
      expect(api.stale).toBeUndefined();
      expect(api.uptime['24h']).toBeNull();
    });

    it('waits for the gap after a check that is about to start, at most a second, and never for a forced rebuild', () => {
      const before = snapshot.currentStatus(NOW);
      let dueAt: number | null = NOW + 1_001;
      jest.spyOn(observer, 'nextDueAt').mockImplementation(() => dueAt);
      observer.applyRemote([remoteCheck('api', NOW + 500)], NOW + 500);
      snapshot.refresh(NOW + 1_000); // a check starts in 1 ms: not now
      expect(snapshot.currentStatus(NOW + 1_000)).toBe(before);
      dueAt = NOW + 1_500;
      snapshot.refresh(NOW + 1_200); // 300 ms of quiet ahead: now
      const after = snapshot.currentStatus(NOW + 1_200);
      expect(after).not.toBe(before);

      observer.applyRemote([remoteCheck('api', NOW + 1_300)], NOW + 1_300);
      dueAt = NOW + 1_401;
      snapshot.refresh(NOW + 1_400);
      dueAt = NOW + 2_401;
      snapshot.refresh(NOW + 2_399);
      expect(snapshot.currentStatus(NOW + 2_399)).toBe(after); // put off for 999 ms
      snapshot.refresh(NOW + 2_400);
      const late = snapshot.currentStatus(NOW + 2_400);
      expect(late).not.toBe(after); // a second: built even though a check is due

      observer.applyRemote([remoteCheck('api', NOW + 2_500)], NOW + 2_500);
      dueAt = NOW + 2_601;
      snapshot.refresh(NOW + 2_600, true); // an admin change does not wait
      expect(snapshot.currentStatus(NOW + 2_600)).not.toBe(late);
    });
  });

  describe('statusJson', () => {
    const document = (overrides: Partial<StatusResponse> = {}): StatusResponse => ({
      generatedAt: new Date(NOW).toISOString(),
      overall: 'operational',
      services: [],
      defaults: { slo: { target: 99.9, window: '30d' } },
      activeIncidents: [],
      upcomingMaintenance: [],
      page: {
        title: 'Status "quoted" \\ \u2028',
        logoUrl: null,
        colors: { accent: null, accentDark: null },
        links: [],
        supportUrl: null,
        subscriptions: false,
      },
      ...overrides,
    });

    it.each([
      ['no services', document()],
      [
        'two services',
        document({
          services: [
            {
              id: 'a',
              name: 'A',
              state: 'up',
              lastCheck: null,
              uptime: { '30d': 100, '90d': null },
              errorBudgetRemaining: null,
            },
            {
              id: 'b',
              name: 'B',
              state: 'down',
              lastCheck: { ok: false, latencyMs: 3, error: 'x' },
              uptime: { '30d': 1, '90d': 1 },
              errorBudgetRemaining: -5,
            },
          ] as StatusResponse['services'],
        }),
      ],
      ['a property left undefined', document({ page: undefined })],
    ])('is JSON.stringify of the document: %s', (_name, doc) => {
      expect(
        statusJson(
          doc,
          doc.services.map((entry) => JSON.stringify(entry)),
        ),
      ).toBe(JSON.stringify(doc));
    });
  });

  it('lists the latency sparkline oldest first with null for failed checks', async () => {
    const check = (offset: number, ok: boolean, latencyMs: number): StoredCheck => ({
      serviceId: 'api',
      at: NOW - offset,
      ok,
      latencyMs,
      state: 'up',
      maintenance: false,
    });
    checks.items.push(check(90_000, true, 120), check(60_000, false, 5000), check(30_000, true, 80));
    await monitor.load([service('api')], NOW);
    expect(snapshot.currentHistory(NOW).data.services.api!.latency).toEqual([120, null, 80]);
    expect(snapshot.detail('api', NOW)!.data.recentChecks.map((c) => c.latencyMs)).toEqual([80, 5000, 120]);
  });
});
