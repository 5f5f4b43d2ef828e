import 'reflect-metadata';
import { settle } from '@app/common/testing';
import { httpCheck } from '@app/monitoring';
import { FakeClusterView } from '@app/monitoring/testing';
import { InMemoryCertificateAlertStore } from '../testing/in-memory-certificate-alert-store.js';
import { incidentsWorld, INCIDENT_TEST_OPTIONS, watchedService, type IncidentsWorld } from '../testing/world.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { CertificateAlerts } from './certificate-alerts.js';
import { SystemClock } from '@app/common';
import { isCertificateNotification, type CertificateNotification } from '../notify/notifier.js';
import { certificateBody, certificateSubjectLine } from '../notify/render.js';
import { slackCertificatePayload } from '../notify/slack.notifier.js';
import { acceptsForVisitors } from '../notify/visitor-render.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('certificate expiry alerts', () => {
  let world: IncidentsWorld;
  let store: InMemoryCertificateAlertStore;

  /** One replica's CertificateAlerts (a "restart" is a new one over the same stores). */
  function replica() {
    const dispatcher = new OutboxDispatcher(
      world.outboxStore,
      [world.sns, world.slack],
      INCIDENT_TEST_OPTIONS,
      new SystemClock(),
      new FakeClusterView(),
    );
    const alerts = new CertificateAlerts(store, dispatcher, world.monitor, world.events, INCIDENT_TEST_OPTIONS);
    return { alerts, dispatcher };
  }
  const certificateAlerts = () =>
    world.sns.all.filter(isCertificateNotification).map((n: CertificateNotification) => [n.serviceId, n.threshold]);

  beforeEach(() => {
    world = incidentsWorld();
    store = new InMemoryCertificateAlertStore();
    world.monitor.add(
      watchedService('checkout', { url: 'https://checkout.example.com/health', check: httpCheck() }),
      'up',
    );
  });

  it('alerts once per threshold crossing (14, 7, 1 days), not on every check, on every on-call channel', async () => {
    const { alerts, dispatcher } = replica();
    const notAfter = NOW + 20 * DAY;
    for (let day = 0; day <= 20; day += 0.5) await alerts.observe('checkout', notAfter, NOW + day * DAY);
    await dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([
      ['checkout', 14],
      ['checkout', 7],
      ['checkout', 1],
      ['checkout', 0],
    ]);
    expect(world.slack.all.filter(isCertificateNotification)).toHaveLength(4);
    expect(world.outboxStore.items.size).toBe(8);
  });

  it('alerts the lowest threshold already crossed when a service is first seen close to expiry', async () => {
    const { alerts, dispatcher } = replica();
    await alerts.observe('checkout', NOW + 3 * DAY + 3_600_000, NOW);
    await dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([['checkout', 7]]);
    const sent = world.sns.all.find(isCertificateNotification)!;
    expect(sent).toMatchObject({
      daysLeft: 3,
      message: 'certificate expires in 3 days',
      target: 'https://checkout.example.com/health',
    });
    expect(certificateSubjectLine(sent)).toBe('[CERT] Checkout API: certificate expires in 3 days');
    expect(certificateBody(sent)).toContain('crossed the 7-day warning threshold');
    expect(slackCertificatePayload(sent).text).toContain('Checkout API: certificate expires in 3 days');
    // Visitors never hear about certificates.
    expect(acceptsForVisitors(sent)).toBe(false);
  });

  it('remembers the threshold across a restart: the same crossing is never alerted twice', async () => {
    const notAfter = NOW + 6 * DAY;
    const first = replica();
    await first.alerts.observe('checkout', notAfter, NOW);
    const second = replica();
    for (let hour = 1; hour <= 48; hour += 1) await second.alerts.observe('checkout', notAfter, NOW + hour * 3_600_000);
    await second.dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([['checkout', 7]]);
    expect(store.marks.get('checkout')).toEqual({ notAfter, threshold: 7 });
    // The new replica read the stored mark once, then judged from memory.
    expect(store.reads).toBe(2);
  });

  it('alerts exactly once even when a crash lost the stored threshold after queueing (ids derived from the crossing)', async () => {
    const notAfter = NOW + 6 * DAY;
    await replica().alerts.observe('checkout', notAfter, NOW);
    store.marks.clear(); // as if the process died between the outbox write and the threshold write
    const again = replica();
    await again.alerts.observe('checkout', notAfter, NOW + 60_000);
    await again.dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([['checkout', 7]]);
  });

  it('starts over for a renewed certificate', async () => {
    const { alerts, dispatcher } = replica();
    await alerts.observe('checkout', NOW + 5 * DAY, NOW);
    await alerts.observe('checkout', NOW + 90 * DAY, NOW + DAY);
    await alerts.observe('checkout', NOW + 10 * DAY, NOW + 2 * DAY);
    await dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([
      ['checkout', 7],
      ['checkout', 14],
    ]);
  });

  it('says nothing for a paused service, and nothing while more than 14 days are left', async () => {
    const { alerts, dispatcher } = replica();
    await alerts.observe('checkout', NOW + 15 * DAY, NOW);
    world.monitor.edit(watchedService('checkout', { paused: true }));
    await alerts.observe('checkout', NOW + DAY, NOW);
    await dispatcher.poll(NOW + 60 * DAY);
    await settle();
    expect(certificateAlerts()).toEqual([]);
  });

  it('follows the certificate the runner reports with each check', async () => {
    const { alerts, dispatcher } = replica();
    alerts.onApplicationBootstrap();
    world.events.emitCheckCompleted({
      serviceId: 'checkout',
      ok: true,
      latencyMs: 5,
      error: undefined,
      slipMs: 0,
      certificateNotAfter: Date.now() + 2 * DAY,
    });
    world.events.emitCheckCompleted({ serviceId: 'checkout', ok: true, latencyMs: 5, error: undefined, slipMs: 0 });
    await settle();
    await dispatcher.poll(NOW + 60 * DAY);
    await settle();
    alerts.onApplicationShutdown();
    expect(certificateAlerts()).toEqual([['checkout', 7]]);
  });
});
