import 'reflect-metadata';
import { FakeClock, settle } from '@app/common/testing';
import { FakeClusterView } from '@app/monitoring/testing';
import { INCIDENT_TEST_OPTIONS, InMemoryOutboxStore, notification, RecordingNotifier } from '../testing/index.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

const DAY = 86_400_000;

describe('OutboxDispatcher', () => {
  let clock: FakeClock;
  let store: InMemoryOutboxStore;
  let sns: RecordingNotifier;
  let slack: RecordingNotifier;

  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryOutboxStore();
    sns = new RecordingNotifier('sns');
    slack = new RecordingNotifier('slack');
  });

  const dispatcher = (notifiers: RecordingNotifier[], options = {}) =>
    new OutboxDispatcher(store, notifiers, { ...INCIDENT_TEST_OPTIONS, ...options }, clock, new FakeClusterView());

  /** One delivery pass at the clock's time, with its deliveries finished. */
  async function pass(subject: OutboxDispatcher): Promise<void> {
    await subject.poll();
    await settle();
  }

  it('delivers a queued notification once per channel and marks it sent', async () => {
    const subject = dispatcher([sns, slack]);
    await subject.enqueue(notification({ incidentId: 'inc-1' }), 'opened');
    await settle();
    expect(sns.sent.map((sent) => sent.incidentId)).toEqual(['inc-1']);
    expect(slack.sent.map((sent) => sent.incidentId)).toEqual(['inc-1']);
    expect(store.item('inc-1#opened#sns')).toMatchObject({ status: 'sent', sentAt: clock.now(), leaseUntil: null });
    await pass(subject);
    expect(sns.attempts + slack.attempts).toBe(2);
  });

  it('retries a failing channel after a doubling backoff and delivers exactly once when it recovers', async () => {
    const subject = dispatcher([sns], { retryBaseMs: 200, retryMaxMs: 400 });
    sns.failNext = 2;
    await subject.enqueue(notification({ incidentId: 'inc-1' }), 'opened');
    await settle();

    // First attempt failed; the item waits for its backoff instead of being retried at once.
    expect(sns.attempts).toBe(1);
    expect(store.item('inc-1#opened#sns')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'sns answered 500',
      dueAt: clock.now() + 200,
    });
    clock.advance(199);
    await pass(subject);
    expect(sns.attempts).toBe(1);

    clock.advance(1);
    await pass(subject); // second attempt fails too: the next wait doubles
    expect(store.item('inc-1#opened#sns')).toMatchObject({ attempts: 2, dueAt: clock.now() + 400 });
    clock.advance(400);
    await pass(subject);
    clock.advance(60_000);
    await pass(subject);

    expect(sns.attempts).toBe(3);
    expect(sns.sent).toHaveLength(1);
    expect(store.item('inc-1#opened#sns')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('keeps delivering on one channel while the other hangs', async () => {
    const subject = dispatcher([sns, slack]);
    slack.hang = true;
    for (let i = 0; i < 8; i += 1) await subject.enqueue(notification({ incidentId: `inc-${i}` }), 'opened');
    for (let i = 0; i < 3; i += 1) await pass(subject);

    expect(sns.sent.map((sent) => sent.incidentId).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `inc-${i}`).sort(),
    );
    // Slack holds at most its in-flight budget; its items stay pending for a later retry.
    expect(slack.attempts).toBe(4);
    expect((await store.due(clock.now(), 100)).every((item) => item.channel === 'slack')).toBe(true);
  });

  // Regression: due() once listed all channels together, so a hung channel's backlog hid the other's alerts.
  it('still delivers a new alert on one channel when the hung channel has a backlog of 50+ items', async () => {
    const subject = dispatcher([sns, slack]);
    slack.hang = true;
    const hourAgo = clock.now() - 3_600_000;
    for (let i = 0; i < 60; i += 1) {
      await store.enqueue({
        id: `inc-${i}#opened#slack`,
        incidentId: `inc-${i}`,
        channel: 'slack',
        notification: notification({ incidentId: `inc-${i}` }),
        createdAt: hourAgo,
        attempts: 0,
        dueAt: hourAgo + i,
        status: 'pending',
        lastError: null,
        sentAt: null,
      });
    }
    await subject.enqueue(notification({ incidentId: 'inc-new' }), 'opened');
    await pass(subject);
    expect(slack.attempts).toBe(4);
    expect(sns.sent.map((sent) => sent.incidentId)).toEqual(['inc-new']);
  });

  it('gives up after giveUpAfterMs and marks the item failed', async () => {
    const subject = dispatcher([sns], { retryBaseMs: 5, retryMaxMs: 10, giveUpAfterMs: 60 });
    sns.failNext = Number.POSITIVE_INFINITY;
    await subject.enqueue(notification({ incidentId: 'inc-1' }), 'opened');
    await settle();
    for (let elapsed = 0; elapsed <= 60; elapsed += 10) {
      clock.advance(10);
      await pass(subject);
    }

    const item = store.item('inc-1#opened#sns')!;
    expect(item.status).toBe('failed');
    expect(item.lastError).toBe('sns answered 500');
    expect(item.attempts).toBeGreaterThanOrEqual(2);
    expect(await store.due(clock.now() + DAY, 10)).toEqual([]);
    const attempts = sns.attempts;
    clock.advance(DAY);
    await pass(subject);
    expect(sns.attempts).toBe(attempts);
  });

  it('enqueues one item per enabled channel, idempotently', async () => {
    const subject = dispatcher([sns, slack]);
    subject.stop();
    await subject.enqueue(notification({ incidentId: 'inc-1' }), 'opened');
    await subject.enqueue(notification({ incidentId: 'inc-1' }), 'opened');
    expect(store.ids()).toEqual(['inc-1#opened#slack', 'inc-1#opened#sns']);
    expect(sns.attempts + slack.attempts).toBe(0);
  });
});
