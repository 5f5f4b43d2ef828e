import 'reflect-metadata';
import { DynamoOutboxStore } from '@app/aws';
import type { OutboxItem } from '@app/incidents';
import { notification } from '@app/incidents/testing';
import { rawItem, testDynamo } from '../support/dynamo.js';

describe('DynamoOutboxStore against DynamoDB (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-outbox-');
  const store = new DynamoOutboxStore(client, names.outbox);
  const T = Date.UTC(2026, 5, 1, 12);

  beforeAll(ready);
  afterAll(destroy);

  /** The item as stored (the adapter itself only ever lists due items). */
  const stored = async (id: string) => {
    const raw = await rawItem(client, names.outbox, { id });
    return raw && { ...raw, notification: JSON.parse(raw.notification as string) as unknown };
  };

  /** Each test uses its own ids and a time range of its own, so `due` sees only that test's items. */
  function item(id: string, dueAt: number, overrides: Partial<OutboxItem> = {}): OutboxItem {
    return {
      id,
      incidentId: id.split('#')[0]!,
      channel: 'sns',
      notification: notification({ incidentId: id.split('#')[0]! }),
      createdAt: dueAt,
      attempts: 0,
      dueAt,
      status: 'pending',
      lastError: null,
      sentAt: null,
      ...overrides,
    };
  }

  const ids = (items: OutboxItem[]) => items.map((entry) => entry.id);

  /** Queues an item due at `now` and leases it until `now + 60 s` (the lease the tests then hold). */
  async function claimed(id: string, now: number): Promise<number> {
    await store.enqueue(item(id, now));
    expect(await store.claim(id, now + 60_000, now)).toBe(true);
    return now + 60_000;
  }

  it('enqueues an item once: a second enqueue with the same id answers false and keeps the first', async () => {
    const first = item('inc-enq#opened#sns', T);
    expect(await store.enqueue(first)).toBe(true);
    expect(await store.enqueue({ ...first, channel: 'slack', dueAt: T + 1 })).toBe(false);
    expect(await stored(first.id)).toMatchObject({
      id: first.id,
      channel: 'sns',
      dueAt: T,
      status: 'pending',
      pendingKey: 'pending#sns',
      notification: first.notification,
    });
  });

  it('lists only pending items due at now, oldest due first, up to the limit', async () => {
    const base = T + 1_000_000;
    await store.enqueue(item('inc-due#b#sns', base + 20));
    await store.enqueue(item('inc-due#a#sns', base + 10));
    await store.enqueue(item('inc-due#later#sns', base + 1_000));
    await store.enqueue(item('inc-due#sent#sns', base + 5));
    expect(await store.claim('inc-due#sent#sns', base + 60_000, base)).toBe(true);
    expect(await store.markSent('inc-due#sent#sns', base + 60_000, base)).toBe(true);

    const due = (await store.due(base + 20, 50)).filter((entry) => entry.id.startsWith('inc-due#'));
    expect(ids(due)).toEqual(['inc-due#a#sns', 'inc-due#b#sns']);
    expect(due[0]).toEqual(item('inc-due#a#sns', base + 10));
    const limited = await store.due(base + 20, 2);
    expect(limited).toHaveLength(2);
    expect(limited[0]!.dueAt).toBeLessThanOrEqual(limited[1]!.dueAt);
  });

  it('lets exactly one of 10 concurrent claims win', async () => {
    const now = T + 2_000_000;
    await store.enqueue(item('inc-claim#opened#sns', now));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.claim('inc-claim#opened#sns', now + 60_000 + index, now)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('can be claimed again once the lease expired, and the old lease holder can no longer mark it sent', async () => {
    const now = T + 3_000_000;
    const id = 'inc-lease#opened#sns';
    await store.enqueue(item(id, now));
    expect(await store.claim(id, now + 1_000, now)).toBe(true);
    expect(await store.claim(id, now + 2_000, now + 999)).toBe(false);

    expect(await store.claim(id, now + 61_000, now + 1_001)).toBe(true);
    expect(await store.markSent(id, now + 1_000, now + 1_500)).toBe(false);
    expect(await store.markSent(id, now + 61_000, now + 1_500)).toBe(true);
    expect(await stored(id)).toMatchObject({ status: 'sent', sentAt: now + 1_500 });
  });

  it('refuses to claim an item that does not exist', async () => {
    expect(await store.claim('inc-nope#opened#sns', T + 60_000, T)).toBe(false);
  });

  it('marks sent only with the right lease, and a sent item is no longer due nor claimable', async () => {
    const now = T + 4_000_000;
    const id = 'inc-sent#opened#sns';
    await store.enqueue(item(id, now));
    expect(await store.markSent(id, now + 60_000, now)).toBe(false);
    expect(await store.claim(id, now + 60_000, now)).toBe(true);
    expect(await store.markSent(id, now + 59_999, now)).toBe(false);
    expect(await stored(id)).toMatchObject({ status: 'pending' });

    expect(await store.markSent(id, now + 60_000, now + 10)).toBe(true);

    expect(await stored(id)).toMatchObject({ status: 'sent', sentAt: now + 10 });
    expect(ids(await store.due(now + 1_000_000, 100))).not.toContain(id);
    expect(await store.claim(id, now + 200_000, now + 100_000)).toBe(false);
  });

  it('reschedules a failed attempt: moves dueAt, counts the attempt, keeps the error, frees the lease', async () => {
    const now = T + 5_000_000;
    const id = 'inc-retry#opened#sns';
    await claimed(id, now);

    await store.reschedule(id, now + 60_000, { dueAt: now + 2_000, attempts: 1, error: 'HTTP 500', giveUp: false });

    expect(await stored(id)).toMatchObject({
      status: 'pending',
      dueAt: now + 2_000,
      attempts: 1,
      lastError: 'HTTP 500',
    });
    expect(ids(await store.due(now + 1_999, 100))).not.toContain(id);
    expect(ids(await store.due(now + 2_000, 100))).toContain(id);
    // The lease was freed: the next attempt can claim at once, without waiting for the old lease to run out.
    expect(await store.claim(id, now + 62_000, now + 2_000)).toBe(true);
  });

  it('ignores a reschedule from a caller that no longer holds the lease', async () => {
    const now = T + 6_000_000;
    const id = 'inc-stale#opened#sns';
    await claimed(id, now);
    await store.reschedule(id, now + 1, { dueAt: now + 9_999, attempts: 5, error: 'late', giveUp: true });
    const untouched = await stored(id);
    expect(untouched).toMatchObject({ status: 'pending', dueAt: now, attempts: 0 });
    expect(untouched).not.toHaveProperty('lastError');
  });

  it('gives up: status failed with the last error, and gone from due', async () => {
    const now = T + 7_000_000;
    const id = 'inc-giveup#opened#sns';
    await claimed(id, now);

    await store.reschedule(id, now + 60_000, { dueAt: now + 1_000, attempts: 9, error: 'HTTP 500', giveUp: true });

    expect(await stored(id)).toMatchObject({ status: 'failed', attempts: 9, lastError: 'HTTP 500' });
    expect(ids(await store.due(now + 1_000_000_000, 1000))).not.toContain(id);
    expect(await store.claim(id, now + 200_000, now + 100_000)).toBe(false);
  });

  it('counts the undelivered items of one channel, and keeps a maintenance notice as queued', async () => {
    const now = T + 9_000_000;
    const notice: OutboxItem = item('mnt-1#scheduled#subscribers', now, {
      incidentId: 'mnt-1',
      channel: 'subscribers',
      notification: {
        subject: 'maintenance',
        maintenanceId: 'mnt-1',
        transition: 'scheduled',
        title: 'Database upgrade',
        serviceIds: ['db'],
        serviceNames: ['Database'],
        startsAt: '2026-06-02T02:00:00.000Z',
        endsAt: '2026-06-02T03:00:00.000Z',
        message: 'Short.',
        url: 'https://status.example.com',
        at: '2026-06-01T12:00:00.000Z',
      },
    });
    await store.enqueue(notice);
    await store.enqueue(item('inc-count#opened#subscribers', now + 60_000, { channel: 'subscribers' }));
    await store.enqueue(item('inc-count#sent#subscribers', now, { channel: 'subscribers' }));
    expect(await store.pendingCount('subscribers')).toBe(3);
    expect(await store.claim('inc-count#sent#subscribers', now + 60_000, now)).toBe(true);
    expect(await store.markSent('inc-count#sent#subscribers', now + 60_000, now)).toBe(true);
    expect(await store.pendingCount('subscribers')).toBe(2);
    expect((await store.due(now, 10, 'subscribers')).find((entry) => entry.id === notice.id)).toEqual(notice);
  });
});
