import 'reflect-metadata';
import { ConflictError } from '@app/common';
import {
  incident,
  incidentsReplica,
  incidentsWorld,
  notification,
  watchedService,
  type IncidentsWorld,
} from '../testing/index.js';

describe('IncidentWriter', () => {
  const STARTED = '2026-01-10T12:00:00.000Z';
  let world: IncidentsWorld;
  let app: ReturnType<typeof incidentsReplica>;

  beforeEach(() => {
    world = incidentsWorld();
    app = incidentsReplica(world);
    app.dispatcher.stop(); // queue only: these specs read the outbox, nothing is delivered
  });

  it('stores a change as the next version and shows it in the cache', async () => {
    const stored = incident('inc-1', STARTED);
    await app.writer.create(stored);
    const changed = await app.writer.change(stored, (draft) => void (draft.title = 'Checkout is slow'));
    expect(changed).toMatchObject({ title: 'Checkout is slow', version: 2 });
    expect(world.store.incidents.get('inc-1')).toEqual(changed);
    expect(app.cache.get('inc-1')).toEqual(changed);
  });

  it('writes nothing when the change finds nothing to do', async () => {
    const stored = incident('inc-1', STARTED);
    await app.writer.create(stored);
    expect(await app.writer.change(stored, () => false)).toBe(stored);
    expect(world.store.incidents.get('inc-1')!.version).toBe(1);
  });

  it('re-applies a change to the stored copy after a concurrent write, and gives up after three conflicts', async () => {
    const stored = incident('inc-1', STARTED);
    await app.writer.create(stored);
    await app.writer.change(stored, (draft) => void draft.updates.push({ ...draft.updates[0]!, message: 'other' }));
    const merged = await app.writer.change(stored, (draft) => void (draft.impact = 'critical'));
    expect(merged).toMatchObject({ impact: 'critical', version: 3 });
    expect(merged.updates.map((update) => update.message)).toContain('other');

    world.store.updateIncident = () => Promise.resolve(false); // someone else always wins
    await expect(app.writer.change(merged, (draft) => void (draft.title = 'x'))).rejects.toBeInstanceOf(ConflictError);
  });

  it('renders a notification with service names, the incident link and the transition time, once per key', async () => {
    world.monitor.add(watchedService('checkout'), 'down', 'HTTP 503');
    const stored = incident('inc-1', STARTED, { serviceIds: ['checkout', 'gone'] });
    const at = Date.parse('2026-01-10T12:03:00.000Z');
    await app.writer.notify(stored, 'opened', 'opened', 'It is down.', at);
    await app.writer.notify(stored, 'opened', 'opened', 'It is down again.', at + 1000);
    expect(world.outboxStore.ids()).toEqual(['inc-1#opened#slack', 'inc-1#opened#sns']);
    // Everything else as the fixture: impact major, status investigating, kind auto, the title, last error, link.
    expect(world.outboxStore.item('inc-1#opened#sns')!.notification).toEqual(
      notification({
        incidentId: 'inc-1',
        serviceIds: ['checkout', 'gone'],
        serviceNames: ['Checkout API', 'gone'],
        startedAt: STARTED,
        message: 'It is down.',
        at: '2026-01-10T12:03:00.000Z',
      }),
    );
  });

  it('audits an admin change with its actor, and a failed audit write fails nothing', async () => {
    const stored = incident('inc-1', STARTED);
    await app.writer.audited('alice', 'incident.edit', 'inc-1', null, stored);
    expect(app.audit.records).toEqual([
      expect.objectContaining({ actor: 'alice', action: 'incident.edit', targetType: 'incident', after: stored }),
    ]);
    app.audit.record = () => Promise.reject(new Error('throttled'));
    await expect(app.writer.audited('bob', 'incident.edit', 'inc-1', stored, stored)).resolves.toBeUndefined();
  });
});
