import 'reflect-metadata';
import { DynamoIncidentStore } from '@app/aws';
import type { MaintenanceWindow } from '@app/contracts';
import type { Incident, OpenLock } from '@app/incidents';
import { incident as incidentFixture } from '@app/incidents/testing';
import { rawItem, testDynamo } from '../support/dynamo.js';

describe('DynamoIncidentStore against DynamoDB (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-incidents-');
  const store = new DynamoIncidentStore(client, names.incidents);

  beforeAll(ready);
  afterAll(destroy);

  const incident = (id: string, startedAt: string, overrides: Partial<Incident> = {}) =>
    incidentFixture(id, startedAt, { title: `Incident ${id}`, ...overrides });
  const rawIncident = (id: string) => rawItem(client, names.incidents, { pk: `incident#${id}`, sk: 'meta' });

  describe('the per-service open lock', () => {
    it('lets exactly one of 25 concurrent callers take it; every other caller gets that same lock back', async () => {
      const callers: OpenLock[] = Array.from({ length: 25 }, (_, index) => ({
        serviceId: 'race',
        incidentId: `inc-race-${index}`,
        openedAt: 1_000 + index,
      }));

      const results = await Promise.all(callers.map((lock) => store.acquireOpenLock(lock)));

      const winners = callers.filter((_, index) => results[index] === null);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      for (const result of results.filter((value) => value !== null)) expect(result).toEqual(winner);
      expect(results.filter((value) => value !== null)).toHaveLength(24);
      expect((await store.listOpenLocks()).filter((lock) => lock.serviceId === 'race')).toEqual([winner]);
    });

    it('is released only by the incident that owns it', async () => {
      const lock: OpenLock = { serviceId: 'release', incidentId: 'inc-owner', openedAt: 5_000 };
      expect(await store.acquireOpenLock(lock)).toBeNull();

      await store.releaseOpenLock('release', 'inc-someone-else');
      expect(await store.acquireOpenLock({ ...lock, incidentId: 'inc-late' })).toEqual(lock);

      await store.releaseOpenLock('release', 'inc-owner');
      expect((await store.listOpenLocks()).some((open) => open.serviceId === 'release')).toBe(false);
      const next: OpenLock = { serviceId: 'release', incidentId: 'inc-next', openedAt: 6_000 };
      expect(await store.acquireOpenLock(next)).toBeNull();
      expect((await store.listOpenLocks()).find((open) => open.serviceId === 'release')).toEqual(next);
    });

    it('keeps one lock per service: locks of different services do not collide', async () => {
      const a: OpenLock = { serviceId: 'lock-a', incidentId: 'inc-a', openedAt: 1 };
      const b: OpenLock = { serviceId: 'lock-b', incidentId: 'inc-b', openedAt: 2 };
      expect(await Promise.all([store.acquireOpenLock(a), store.acquireOpenLock(b)])).toEqual([null, null]);
      const locks = await store.listOpenLocks();
      expect(locks).toEqual(expect.arrayContaining([a, b]));
    });
  });

  describe('incidents', () => {
    it('creates an incident once: a second create with the same id answers false and changes nothing', async () => {
      const first = incident('inc-create', '2026-03-01T10:00:00.000Z');
      expect(await store.createIncident(first)).toBe(true);
      expect(await store.createIncident({ ...first, title: 'Imposter', version: 7 })).toBe(false);
      expect(await store.getIncident('inc-create')).toEqual(first);
    });

    it('returns null for an incident that does not exist', async () => {
      expect(await store.getIncident('inc-never')).toBeNull();
    });

    it('updates with the expected version and refuses a stale one, leaving the item unchanged', async () => {
      const v1 = incident('inc-update', '2026-03-02T10:00:00.000Z');
      await store.createIncident(v1);
      const v2: Incident = {
        ...v1,
        status: 'identified',
        updates: [...v1.updates, { at: '2026-03-02T10:05:00.000Z', status: 'identified', message: 'Bad deploy.' }],
        version: 2,
      };
      expect(await store.updateIncident(v2, 1)).toBe(true);
      const before = await rawIncident('inc-update');

      const stale: Incident = { ...v1, title: 'Stale writer', version: 2 };
      expect(await store.updateIncident(stale, 1)).toBe(false);

      expect(await store.getIncident('inc-update')).toEqual(v2);
      expect(await rawIncident('inc-update')).toEqual(before);
    });

    it('refuses an update of an incident that does not exist', async () => {
      expect(await store.updateIncident(incident('inc-ghost', '2026-03-03T00:00:00.000Z', { version: 2 }), 1)).toBe(
        false,
      );
      expect(await store.getIncident('inc-ghost')).toBeNull();
    });

    it('lists incidents that started at or after a time, newest first', async () => {
      const old = incident('inc-hist-old', '2025-12-31T23:59:59.999Z');
      const edge = incident('inc-hist-edge', '2026-01-01T00:00:00.000Z');
      const mid = incident('inc-hist-mid', '2026-01-15T08:00:00.000Z', { kind: 'manual', status: 'resolved' });
      const recent = incident('inc-hist-new', '2026-02-01T08:00:00.000Z');
      for (const item of [mid, old, recent, edge]) await store.createIncident(item);
      await store.updateIncident({ ...mid, title: 'Edited', version: 2 }, 1);

      const listed = (await store.listIncidentsSince('2026-01-01T00:00:00.000Z')).filter((item) =>
        item.id.startsWith('inc-hist-'),
      );

      expect(listed.map((item) => item.id)).toEqual(['inc-hist-new', 'inc-hist-mid', 'inc-hist-edge']);
      expect(listed[1]).toEqual({ ...mid, title: 'Edited', version: 2 });
      const all = await store.listIncidentsSince('2026-01-01T00:00:00.000Z');
      expect(all.map((item) => item.startedAt)).toEqual([...all.map((item) => item.startedAt)].sort().reverse());
    });
  });

  describe('maintenance windows', () => {
    const window = (id: string, endsAt: string): MaintenanceWindow => ({
      id,
      title: `Window ${id}`,
      serviceIds: ['checkout', 'search'],
      startsAt: '2026-04-01T01:00:00.000Z',
      endsAt,
      message: 'Checkout may be unavailable.',
    });

    it('stores, lists (by end time) and deletes windows', async () => {
      const ended = window('mnt-ended', '2026-04-01T02:00:00.000Z');
      const later = window('mnt-later', '2026-04-03T02:00:00.000Z');
      const soon = window('mnt-soon', '2026-04-02T02:00:00.000Z');
      for (const item of [ended, later, soon]) await store.putMaintenance(item);

      const listed = (await store.listMaintenance('2026-04-01T12:00:00.000Z')).filter((item) =>
        item.id.startsWith('mnt-'),
      );
      expect(listed).toEqual([soon, later]);

      const edited = { ...soon, title: 'Rescheduled' };
      await store.putMaintenance(edited);
      expect(await store.listMaintenance('2026-04-01T12:00:00.000Z')).toContainEqual(edited);

      expect(await store.deleteMaintenance('mnt-soon')).toBe(true);
      expect(await store.deleteMaintenance('mnt-soon')).toBe(false);
      expect((await store.listMaintenance('2026-01-01T00:00:00.000Z')).map((item) => item.id).sort()).toEqual([
        'mnt-ended',
        'mnt-later',
      ]);
    });
  });
});
