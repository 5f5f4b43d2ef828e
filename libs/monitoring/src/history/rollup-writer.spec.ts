import { dayOf, emptyRollup, foldCheck } from './rollup.js';
import { RollupWriter, type RollupSlot, type ServiceRollups } from './rollup-writer.js';
import type { StoredCheck } from '../ports.js';
import { dayRollup, InMemoryStateAndRollupStore } from '../testing/index.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 31, 12);
const TODAY = dayOf(NOW);
const quiet = { warn: () => undefined };

const check = (at: number, ok = true): StoredCheck => ({
  serviceId: 'api',
  at,
  ok,
  latencyMs: 40,
  state: 'up',
  maintenance: false,
});

describe('RollupWriter', () => {
  let store: InMemoryStateAndRollupStore;
  let writer: RollupWriter;
  let api: ServiceRollups;

  beforeEach(() => {
    store = new InMemoryStateAndRollupStore();
    writer = new RollupWriter(store, { flushChecks: 3, flushMs: 30 * MINUTE, historyDays: 90 }, quiet);
    api = { service: { id: 'api' }, rollups: new Map<string, RollupSlot>(), epoch: 1 };
  });

  it('folds checks into the day they were taken', () => {
    writer.fold(api, check(NOW - MINUTE, false), NOW);
    writer.fold(api, check(NOW), NOW);
    writer.fold(api, check(NOW - 13 * 60 * MINUTE), NOW); // 23:00 yesterday
    expect(api.rollups.get(TODAY)).toMatchObject({ pending: 2, rollup: { total: 2, failures: 1 } });
    expect(api.rollups.get(dayOf(NOW - 13 * 60 * MINUTE))).toMatchObject({ pending: 1, rollup: { total: 1 } });
  });

  it('drops days older than the history it keeps when a new day starts', () => {
    writer.restore(api, [dayRollup('api', '2025-10-01'), dayRollup('api', '2026-01-30')], NOW);
    writer.fold(api, check(NOW), NOW);
    expect([...api.rollups.keys()].sort()).toEqual(['2026-01-30', TODAY]);
  });

  it('writes a day after `flushChecks` checks, not before', async () => {
    writer.fold(api, check(NOW - 2000), NOW);
    writer.fold(api, check(NOW - 1000), NOW);
    await writer.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    writer.fold(api, check(NOW), NOW);
    await writer.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, through: NOW });
    expect(api.rollups.get(TODAY)).toMatchObject({ pending: 0, persistedThrough: NOW });
  });

  it('writes a day with few checks after `flushMs`, and a finished day at once', async () => {
    writer.fold(api, check(NOW), NOW);
    writer.fold(api, check(NOW - 13 * 60 * MINUTE), NOW);
    await writer.flush([api], NOW + MINUTE);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    expect(store.rollup('api', dayOf(NOW - 13 * 60 * MINUTE))).toMatchObject({ total: 1 });
    await writer.flush([api], NOW + 30 * MINUTE);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
  });

  it('continues from a restored rollup, writing on top of the stored copy', async () => {
    const stored = dayRollup('api', TODAY, { checks: 2, failures: 0 });
    store.seed(stored);
    writer.restore(api, (await store.load('api', TODAY)).rollups, NOW);
    writer.fold(api, check(NOW, false), NOW);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, failures: 1, through: NOW });
  });

  it('adopts a rollup written by another process and overwrites it on the next flush', async () => {
    writer.fold(api, check(NOW), NOW);
    const other = emptyRollup('api', TODAY);
    foldCheck(other, { at: NOW - 5000, ok: true, latencyMs: 1, maintenance: false });
    store.seed(other);

    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toEqual(other);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1, through: NOW });
  });

  it('keeps the checks pending when a write fails, and writes them at the next flush', async () => {
    const warnings: string[] = [];
    const failing = new RollupWriter(
      store,
      { flushChecks: 1, flushMs: 30 * MINUTE, historyDays: 90 },
      { warn: (message: string) => void warnings.push(message) },
    );
    const saveRollup = store.saveRollup.bind(store);
    store.saveRollup = () => Promise.reject(new Error('throttled'));
    failing.fold(api, check(NOW), NOW);
    await failing.flush([api], NOW);
    expect(warnings).toEqual([`saving rollup api/${TODAY} failed: Error: throttled`]);
    expect(api.rollups.get(TODAY)?.pending).toBe(1);

    store.saveRollup = saveRollup;
    await failing.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
  });
});
