import 'reflect-metadata';
import { settle } from '@app/common/testing';
import {
  incidentsReplica,
  incidentsWorld,
  notification,
  watchedService,
  type IncidentsWorld,
} from '../testing/index.js';
import type { MaintenanceNotification } from './notifier.js';
import {
  acceptsForVisitors,
  visitorAttributes,
  visitorBody,
  visitorFilterPolicy,
  visitorSubject,
} from './visitor-render.js';

const maintenance = (overrides: Partial<MaintenanceNotification> = {}): MaintenanceNotification => ({
  subject: 'maintenance',
  maintenanceId: 'mnt-1',
  transition: 'scheduled',
  title: 'Database upgrade',
  serviceIds: ['db', 'api'],
  serviceNames: ['Database', 'API'],
  startsAt: '2026-12-01T02:00:00.000Z',
  endsAt: '2026-12-01T03:00:00.000Z',
  message: 'Up to 10 minutes of errors.',
  url: 'https://status.example.com',
  at: '2026-11-20T10:00:00.000Z',
  ...overrides,
});

describe('visitor notices', () => {
  it('tell visitors about an automatic outage without the probe error or any on-call detail', () => {
    const opened = notification({ lastError: 'ECONNREFUSED 10.0.3.7:8443', message: 'Automated check: (HTTP 503)' });
    expect(visitorSubject(opened)).toBe('Investigating: Checkout API unavailable');
    const body = visitorBody(opened);
    expect(body).toContain('We are seeing problems with Checkout API and are looking into it.');
    expect(body).toContain('https://status.example.com/incidents/inc-1');
    for (const internal of ['ECONNREFUSED', '10.0.3.7', 'HTTP 503', 'Automated check', 'Severity', 'major'])
      expect(body).not.toContain(internal);
    const resolved = notification({ transition: 'resolved', status: 'resolved', resolvedAt: '2026-01-10T12:12:00Z' });
    expect(visitorSubject(resolved)).toBe('Resolved: Checkout API available again');
    expect(visitorBody(resolved)).toContain('Checkout API is working normally again.');
  });

  it('pass on what an admin wrote for a manual incident, as written', () => {
    const manual = notification({
      kind: 'manual',
      transition: 'update',
      status: 'identified',
      title: 'Payments delayed',
      message: 'A bank partner is slow.\r\nNext update in 30 minutes.',
      lastError: null,
    });
    expect(visitorSubject(manual)).toBe('Update: Payments delayed');
    expect(visitorBody(manual)).toContain('A bank partner is slow.\nNext update in 30 minutes.');
  });

  it('announce and withdraw maintenance with its window in UTC', () => {
    expect(visitorSubject(maintenance())).toBe('Scheduled maintenance: Database upgrade');
    expect(visitorBody(maintenance())).toContain(
      'Maintenance of Database and API is planned from 2026-12-01 02:00 UTC to 2026-12-01 03:00 UTC.',
    );
    expect(visitorSubject(maintenance({ transition: 'cancelled' }))).toBe('Maintenance cancelled: Database upgrade');
  });

  it('keep subjects to 100 printable ASCII characters', () => {
    const subject = visitorSubject(notification({ kind: 'manual', title: `Ünïcödé — ${'x'.repeat(200)}` }));
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('carry the affected service ids as the attribute the filter policies match', () => {
    expect(visitorAttributes(maintenance())).toEqual({
      service: ['api', 'db'],
      kind: 'maintenance',
      event: 'scheduled',
    });
    expect(visitorAttributes(notification({ serviceIds: [] }))).toEqual({ kind: 'incident', event: 'opened' });
    expect(visitorFilterPolicy(['web', 'api', 'web'])).toBe('{"service":["api","web"]}');
    expect(visitorFilterPolicy(null)).toBeNull();
  });

  it('skip on-call reminders', () => {
    expect(acceptsForVisitors(notification({ transition: 'reminder' }))).toBe(false);
    expect(acceptsForVisitors(notification({ transition: 'update' }))).toBe(true);
    expect(acceptsForVisitors(maintenance())).toBe(true);
  });
});

describe('the subscribers channel in the outbox', () => {
  let world: IncidentsWorld;
  let app: ReturnType<typeof incidentsReplica>;

  beforeEach(async () => {
    world = incidentsWorld();
    world.monitor.add(watchedService('checkout'), 'up');
    world.monitor.add(watchedService('search'), 'up');
    app = incidentsReplica(world, undefined, { reminderEveryMs: 60_000 }, {}, [world.sns, world.subscribers]);
    await app.reconciler.onApplicationBootstrap();
  });

  afterEach(async () => {
    app.reconciler.onApplicationShutdown();
    await settle();
  });

  it('gets one notice per transition of a down/up, with exactly the affected services, and no reminder', async () => {
    const start = Date.now();
    world.monitor.transition('checkout', 'down', start, 'HTTP 503');
    await settle();
    await app.reconciler.reconcileAll(start + 61_000); // past the reminder interval: on-call is reminded
    world.monitor.transition('checkout', 'up', start + 70_000);
    await settle();
    await app.dispatcher.poll(Date.now() + 120_000);
    await settle();
    expect(world.sns.sent.map((n) => n.transition)).toEqual(['opened', 'reminder', 'resolved']);
    expect(world.subscribers.all.filter(acceptsForVisitors).map((n) => [n.transition, n.serviceIds])).toEqual([
      ['opened', ['checkout']],
      ['resolved', ['checkout']],
    ]);
    expect(world.subscribers.all.filter(acceptsForVisitors)).toHaveLength(world.subscribers.all.length);
    expect(world.subscribers.all.filter(acceptsForVisitors).map(visitorAttributes)).toEqual([
      { service: ['checkout'], kind: 'incident', event: 'opened' },
      { service: ['checkout'], kind: 'incident', event: 'resolved' },
    ]);
  });
});
