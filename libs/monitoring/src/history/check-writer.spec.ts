import type { StoredCheck } from '../ports.js';
import { InMemoryCheckStore } from '../testing/index.js';
import { CheckWriter } from './check-writer.js';

const check = (at: number): StoredCheck => ({
  serviceId: 'api',
  at,
  ok: true,
  latencyMs: 10,
  state: 'up',
  maintenance: false,
});
const checks = (from: number, count: number) => Array.from({ length: count }, (_, i) => check(from + i));
const ats = (list: StoredCheck[]) => list.map((c) => c.at);

const options = (overrides: Partial<ConstructorParameters<typeof CheckWriter>[1]> = {}) => ({
  batchSize: 25,
  parallelBatches: 4,
  debounceMs: 10_000, // tests flush explicitly unless they exercise the timer
  capacity: 100_000,
  maxBackoffMs: 30_000,
  ...overrides,
});

async function eventually(assertion: () => void, timeoutMs = 900): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('CheckWriter', () => {
  let store: InMemoryCheckStore;
  let writer: CheckWriter;

  beforeEach(() => {
    store = new InMemoryCheckStore();
  });

  afterEach(() => writer.stop());

  it('writes in batches of at most 25 (the BatchWriteItem limit), in order', async () => {
    writer = new CheckWriter(store, options());
    for (const c of checks(1, 60)) writer.enqueue(c);
    expect(store.calls).toBe(0);
    await writer.flush();
    expect(store.batches.map((batch) => batch.length)).toEqual([25, 25, 10]);
    expect(ats(store.items)).toEqual(ats(checks(1, 60)));
    expect(writer.stats).toMatchObject({ buffered: 0, written: 60, dropped: 0, failedAttempts: 0 });
    expect(writer.stats.lastSuccessAt).not.toBeNull();
  });

  it('drains a large backlog in one flush, never more than 25 per batch', async () => {
    writer = new CheckWriter(store, options());
    for (const c of checks(1, 437)) writer.enqueue(c);
    await writer.flush();
    expect(store.batches.every((batch) => batch.length <= 25)).toBe(true);
    expect(ats(store.items).sort((a, b) => a - b)).toEqual(ats(checks(1, 437)));
    expect(writer.stats.written).toBe(437);
  });

  it('keeps the checks while the store fails and writes each exactly once when it recovers', async () => {
    writer = new CheckWriter(store, options());
    for (const c of checks(1, 30)) writer.enqueue(c);
    store.failNext = 2; // both batches of the first attempt fail
    await writer.flush();
    expect(store.items).toEqual([]);
    expect(writer.stats).toMatchObject({
      buffered: 30,
      written: 0,
      failedAttempts: 2,
      lastError: 'ProvisionedThroughputExceededException',
    });

    await writer.flush();
    expect(ats(store.items)).toEqual(ats(checks(1, 30)));
    expect(writer.stats).toMatchObject({ buffered: 0, written: 30, dropped: 0 });
  });

  it('re-queues only the batch that failed when parallel batches partly succeed', async () => {
    writer = new CheckWriter(store, options());
    for (const c of checks(1, 100)) writer.enqueue(c);
    store.failBatchWith = 30; // the second batch (26..50)
    await writer.flush();
    expect(writer.stats).toMatchObject({
      written: 75,
      buffered: 25,
      failedAttempts: 1,
      lastError: 'one batch refused',
    });

    await writer.flush();
    const written = ats(store.items);
    expect(written).toHaveLength(100);
    expect(new Set(written).size).toBe(100);
    expect([...written].sort((a, b) => a - b)).toEqual(ats(checks(1, 100)));
  });

  it('drops the oldest checks beyond its capacity and counts them', async () => {
    writer = new CheckWriter(store, options({ capacity: 10 }));
    for (const c of checks(1, 15)) writer.enqueue(c);
    expect(writer.stats).toMatchObject({ buffered: 10, dropped: 5 });
    await writer.flush();
    expect(ats(store.items)).toEqual(ats(checks(6, 10)));
    expect(writer.stats).toMatchObject({ written: 10, dropped: 5 });
  });

  it('keeps at most its capacity through an outage, dropping the oldest first', async () => {
    writer = new CheckWriter(store, options({ capacity: 50 }));
    for (const c of checks(1, 40)) writer.enqueue(c);
    store.failNext = 2;
    await writer.flush();
    for (const c of checks(41, 20)) writer.enqueue(c);
    expect(writer.stats).toMatchObject({ buffered: 50, dropped: 10 });
    await writer.flush();
    expect(ats(store.items)).toEqual(ats(checks(11, 50)));
  });

  it('writes on its own shortly after checks arrive (debounced)', async () => {
    writer = new CheckWriter(store, options({ debounceMs: 20 }));
    for (const c of checks(1, 3)) writer.enqueue(c);
    expect(store.calls).toBe(0);
    await eventually(() => expect(ats(store.items)).toEqual([1, 2, 3]));
    expect(store.calls).toBe(1);
  });

  it('retries on its own after a failure, with backoff, without losing or duplicating checks', async () => {
    writer = new CheckWriter(store, options({ debounceMs: 10, maxBackoffMs: 50 }));
    store.failNext = 1;
    for (const c of checks(1, 5)) writer.enqueue(c);
    await eventually(() => expect(ats(store.items)).toEqual([1, 2, 3, 4, 5]));
    expect(writer.stats).toMatchObject({ failedAttempts: 1, written: 5, buffered: 0 });
  });

  it('does nothing when there is nothing to write', async () => {
    writer = new CheckWriter(store, options());
    await writer.flush();
    expect(store.calls).toBe(0);
  });

  it('settled() resolves only once the appends already sent are answered; later admissions decide anew', async () => {
    let admit: 'write' | 'drop' = 'write';
    writer = new CheckWriter(store, options(), { admit: () => admit });
    let answer: () => void = () => undefined;
    const original = store.append.bind(store);
    store.append = (batch) => new Promise<void>((resolve) => (answer = () => resolve(original(batch))));
    writer.enqueue(check(1));
    const flushing = writer.flush();
    let settled = false;
    const settling = writer.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false); // the append is still out
    admit = 'drop'; // the lease revoked while it was out: what comes next is not written
    writer.enqueue(check(2));
    answer();
    await settling;
    await flushing;
    await writer.flush();
    expect(ats(store.items)).toEqual([1]);
    expect(writer.stats.superseded).toBe(1);
  });

  it('after stop() no timer writes any more, not even the retry of a timed flush that was out at the time', async () => {
    writer = new CheckWriter(store, options({ debounceMs: 10, maxBackoffMs: 20 }));
    let refuse: () => void = () => undefined;
    const original = store.append.bind(store);
    store.append = (batch) =>
      store.calls === 0
        ? new Promise<void>((_, reject) => {
            store.calls += 1;
            refuse = () => reject(new Error('timed out'));
          })
        : original(batch);
    writer.enqueue(check(1));
    await eventually(() => expect(store.calls).toBe(1)); // the timed flush is out
    writer.stop();
    refuse(); // it fails after the stop: no retry may follow
    writer.enqueue(check(2));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(store.calls).toBe(1);
    expect(writer.stats.buffered).toBe(2);
  });
});
