import 'reflect-metadata';
import { ConflictError, InvalidInputError, NotFoundError } from '@app/common';
import { settle } from '@app/common/testing';
import { isIncidentNotification } from '../notify/notifier.js';
import { subjectLine } from '../notify/render.js';
import { incidentsReplica, incidentsWorld, watchedService, type IncidentsWorld } from '../testing/index.js';

const MINUTE = 60_000;

describe('IncidentCommands (manual incidents and updates)', () => {
  const BASE = Date.now();
  const body = {
    title: 'Elevated error rates on checkout',
    impact: 'minor',
    serviceIds: ['checkout'],
    message: 'Looking into it.',
  };
  let world: IncidentsWorld;
  let app: ReturnType<typeof incidentsReplica>;

  beforeEach(() => {
    world = incidentsWorld();
    app = incidentsReplica(world);
    world.monitor.add(watchedService('checkout'), 'up');
  });

  // Was a bug: it alerted as "[UPDATE] … — investigating" with transition=update, so the README's SNS filter
  // policy on transition "opened" dropped every manually declared incident.
  it('creates one and, with notify: true, queues exactly one "opened" item per channel ([INCIDENT])', async () => {
    const incident = await app.commands.create({ ...body, notify: true }, 'alice', BASE);
    expect(incident).toMatchObject({
      kind: 'manual',
      status: 'investigating',
      impact: 'minor',
      serviceIds: ['checkout'],
    });
    expect(world.store.incidents.get(incident.id)).toEqual(incident);
    expect(app.cache.get(incident.id)).toEqual(incident);
    expect(world.outboxStore.ids()).toEqual([`${incident.id}#opened#slack`, `${incident.id}#opened#sns`]);
    const notification = world.outboxStore.item(`${incident.id}#opened#sns`)!.notification;
    if (!isIncidentNotification(notification)) throw new Error('an incident alert was expected');
    expect(subjectLine(notification)).toBe('[INCIDENT] Elevated error rates on checkout');
    expect(notification).toMatchObject({
      transition: 'opened',
      message: 'Looking into it.',
      kind: 'manual',
    });
    expect(app.audit.records.map((record) => [record.actor, record.action, record.targetId])).toEqual([
      ['alice', 'incident.create', incident.id],
    ]);
  });

  it('queues nothing with notify: false', async () => {
    await app.commands.create({ ...body, notify: false }, 'alice', BASE);
    await app.commands.create(body, 'alice', BASE);
    expect(world.outboxStore.ids()).toEqual([]);
    expect(world.store.incidents.size).toBe(2);
  });

  it('moves the status forward only: investigating → identified → monitoring → resolved', async () => {
    const { id } = await app.commands.create(body, 'alice', BASE);
    await app.commands.addUpdate(id, { status: 'identified', message: 'Bad deploy.' }, 'alice', BASE + MINUTE);
    await app.commands.addUpdate(id, { status: 'monitoring', message: 'Rolled back.' }, 'alice', BASE + 2 * MINUTE);

    const backwards = app.commands.addUpdate(
      id,
      { status: 'investigating', message: 'Hm.' },
      'alice',
      BASE + 3 * MINUTE,
    );
    await expect(backwards).rejects.toBeInstanceOf(InvalidInputError);
    await expect(backwards).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'status', value: 'investigating' })],
    });
    expect(world.store.incidents.get(id)!.status).toBe('monitoring');

    const resolved = await app.commands.addUpdate(
      id,
      { status: 'resolved', message: 'Fixed.', notify: true },
      'alice',
      BASE + 4 * MINUTE,
    );
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBe(new Date(BASE + 4 * MINUTE).toISOString());
    expect(resolved.updates.map((update) => update.status)).toEqual([
      'investigating',
      'identified',
      'monitoring',
      'resolved',
    ]);
    expect(world.store.incidents.get(id)).toEqual(resolved);
    expect(world.outboxStore.ids()).toEqual([`${id}#update-3#slack`, `${id}#update-3#sns`]);
    expect(world.outboxStore.item(`${id}#update-3#sns`)!.notification).toMatchObject({ transition: 'resolved' });
  });

  it('refuses updates to a resolved incident with a ConflictError', async () => {
    const { id } = await app.commands.create({ ...body, status: 'resolved' }, 'alice', BASE);
    await expect(app.commands.addUpdate(id, { status: 'resolved', message: 'Again.' }, 'alice')).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(world.store.incidents.get(id)!.updates).toHaveLength(1);
  });

  it('refuses to resolve an automatic incident while its service is still down, but takes other updates', async () => {
    await app.reconciler.onApplicationBootstrap();
    world.monitor.transition('checkout', 'down', BASE, 'HTTP 503');
    await settle();
    const { id } = [...world.store.incidents.values()][0]!;
    await expect(app.commands.addUpdate(id, { status: 'resolved', message: 'Done?' }, 'alice')).rejects.toBeInstanceOf(
      ConflictError,
    );
    const updated = await app.commands.addUpdate(id, { status: 'identified', message: 'Upstream outage.' }, 'alice');
    expect(updated.status).toBe('identified');
    expect(world.store.incidents.get(id)!.status).toBe('identified');
    app.reconciler.onApplicationShutdown();
  });

  it('rejects unknown service ids naming the field and the value', async () => {
    const create = app.commands.create({ ...body, serviceIds: ['checkout', 'nope'] }, 'alice');
    await expect(create).rejects.toBeInstanceOf(InvalidInputError);
    await expect(create).rejects.toMatchObject({
      errors: [{ path: 'serviceIds', value: 'nope', rule: 'is not a monitored service id' }],
    });
    const { id } = await app.commands.create(body, 'alice');
    await expect(app.commands.edit(id, { serviceIds: ['ghost'] }, 'alice')).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'serviceIds', value: 'ghost' })],
    });
    expect(world.store.incidents.size).toBe(1);
  });

  it('rejects malformed bodies with InvalidInputError naming the field', async () => {
    await expect(app.commands.create({ ...body, impact: 'apocalyptic' }, 'alice')).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: 'impact' })],
    });
    expect(world.store.incidents.size).toBe(0);
  });

  it('edits the title and impact, storing a new version and an audit record', async () => {
    const { id } = await app.commands.create(body, 'alice');
    const edited = await app.commands.edit(id, { title: 'Checkout is failing', impact: 'critical' }, 'bob');
    expect(edited).toMatchObject({ title: 'Checkout is failing', impact: 'critical', version: 2 });
    expect(world.store.incidents.get(id)).toEqual(edited);
    expect(app.cache.get(id)).toEqual(edited);
    expect(app.audit.records.at(-1)).toMatchObject({ actor: 'bob', action: 'incident.edit', targetId: id });
  });

  // Was a bug: the version-conflict retry in change() re-applied the update to the reloaded copy without
  // re-checking it, so a racing "identified" landed on top of "resolved".
  it('never moves a resolved incident back when two updates race', async () => {
    const { id } = await app.commands.create(body, 'alice', BASE);
    const results = await Promise.allSettled([
      app.commands.addUpdate(id, { status: 'resolved', message: 'Fixed.' }, 'alice', BASE + MINUTE),
      app.commands.addUpdate(id, { status: 'identified', message: 'Found it.' }, 'bob', BASE + MINUTE),
    ]);
    const stored = world.store.incidents.get(id)!;
    const order = ['investigating', 'identified', 'monitoring', 'resolved'];
    const ranks = stored.updates.map((update) => order.indexOf(update.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(stored.status).toBe(stored.updates.at(-1)!.status);
    expect(stored.status).toBe('resolved');
    const refused = results.flatMap((result): unknown[] => (result.status === 'rejected' ? [result.reason] : []));
    expect(refused).toEqual(stored.updates.length === 2 ? [expect.any(ConflictError)] : []);
  });

  // Regression: reconcile used to rewrite impact and title back to the monitor-derived ones.
  it("keeps an operator's impact and title edits on an automatic incident across reconcile passes", async () => {
    await app.reconciler.onApplicationBootstrap();
    world.monitor.transition('checkout', 'down', BASE, 'HTTP 503');
    await settle();
    const { id } = [...world.store.incidents.values()][0]!;
    await app.commands.edit(id, { title: 'Payments are failing', impact: 'critical' }, 'alice');
    await app.reconciler.reconcileAll(BASE + MINUTE);
    expect(world.store.incidents.get(id)).toMatchObject({ title: 'Payments are failing', impact: 'critical' });
    expect(world.store.incidents.get(id)!.updates).toHaveLength(1);
    app.reconciler.onApplicationShutdown();
  });

  it('answers NotFoundError for an unknown incident id', async () => {
    await expect(
      app.commands.addUpdate('inc-nope', { status: 'identified', message: 'x' }, 'alice'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.commands.edit('inc-nope', { title: 'x' }, 'alice')).rejects.toBeInstanceOf(NotFoundError);
  });
});
