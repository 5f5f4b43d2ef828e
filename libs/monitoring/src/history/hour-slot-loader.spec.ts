import { HourSlotLoader } from './hour-slot-loader.js';
import type { DailyRollup } from './rollup.js';
import type { RollupKey, StoredServiceState } from '../ports.js';
import { dayRollup, InMemoryStateAndRollupStore } from '../testing/index.js';

const DAYS = ['2026-01-30', '2026-01-31'];
const ids = Array.from({ length: 120 }, (_, index) => `svc-${String(index).padStart(3, '0')}`);

/** What the boot pass returns for a service: every day's counters, no hour slots. */
function scanned(id: string, days: string[]): StoredServiceState {
  return {
    state: null,
    rollups: days.map((day) => ({ ...dayRollup(id, day), hourTotal: [], hourFailures: [], hourLatencySum: [] })),
  };
}

describe('HourSlotLoader', () => {
  let store: InMemoryStateAndRollupStore;
  let asked: RollupKey[][];

  beforeEach(() => {
    store = new InMemoryStateAndRollupStore();
    for (const id of ids)
      store.seed(dayRollup(id, '2026-01-29'), ...DAYS.map((day) => dayRollup(id, day, { checks: 4 })));
    asked = [];
    const loadRollups = store.loadRollups.bind(store);
    store.loadRollups = (keys) => {
      asked.push([...keys]);
      return loadRollups(keys);
    };
  });

  it('replaces the given days by the whole stored items and keeps the older days as scanned', async () => {
    const loader = new HourSlotLoader(store, ids, DAYS);
    const completed = await loader.complete('svc-007', scanned('svc-007', ['2026-01-29', ...DAYS]));
    expect(completed.rollups.map((rollup) => rollup.day)).toEqual(['2026-01-29', ...DAYS]);
    expect(completed.rollups[0]?.hourTotal).toEqual([]);
    for (const [index, day] of DAYS.entries())
      expect(completed.rollups[index + 1]).toEqual(store.rollup('svc-007', day) as DailyRollup);
  });

  it('keeps what the pass read from the copy of the finished days: its days (undecoded) and its through', async () => {
    const loader = new HourSlotLoader(store, ids, DAYS);
    const finishedRollups = () => scanned('svc-009', ['2026-01-28']).rollups;
    const read = { ...scanned('svc-009', DAYS), finishedThrough: '2026-01-28', finishedRollups };
    const completed = await loader.complete('svc-009', read);
    expect(completed.finishedThrough).toBe('2026-01-28');
    expect(completed.finishedRollups).toBe(finishedRollups);
    expect(completed.rollups.map((rollup) => rollup.day)).toEqual(DAYS);
  });

  it('adds a day the pass did not see (written after it)', async () => {
    const loader = new HourSlotLoader(store, ids, DAYS);
    const completed = await loader.complete('svc-003', scanned('svc-003', ['2026-01-29']));
    expect(completed.rollups.map((rollup) => rollup.day)).toEqual(['2026-01-29', ...DAYS]);
  });

  it('reads in batches of services in the given order, one batch ahead, each batch once', async () => {
    const loader = new HourSlotLoader(store, ids, DAYS, 50);
    await loader.complete('svc-000', scanned('svc-000', DAYS));
    await Promise.resolve();
    // the first batch, and the next one ahead of time
    expect(asked.map((keys) => keys.length)).toEqual([100, 100]);
    expect(asked[0]?.[0]).toEqual({ serviceId: 'svc-000', day: DAYS[0] });
    expect(asked[1]?.[0]).toEqual({ serviceId: 'svc-050', day: DAYS[0] });
    for (const id of ids.slice(1, 100)) await loader.complete(id, scanned(id, DAYS));
    await Promise.resolve();
    expect(asked.map((keys) => keys.length)).toEqual([100, 100, 40]);
  });

  it('reads a failed batch again for the retry that needs it', async () => {
    const loadRollups = store.loadRollups.bind(store);
    let failures = 1;
    store.loadRollups = (keys) => (failures-- > 0 ? Promise.reject(new Error('throttled')) : loadRollups(keys));
    const loader = new HourSlotLoader(store, ids, DAYS);
    await expect(loader.complete('svc-001', scanned('svc-001', DAYS))).rejects.toThrow('throttled');
    const completed = await loader.complete('svc-001', scanned('svc-001', DAYS));
    expect(completed.rollups[1]).toEqual(store.rollup('svc-001', DAYS[1] as string) as DailyRollup);
  });

  it('leaves a service it was not given as scanned', async () => {
    const loader = new HourSlotLoader(store, ids.slice(0, 10), DAYS);
    const stored = scanned('other', DAYS);
    expect(await loader.complete('other', stored)).toBe(stored);
    expect(asked).toEqual([]);
  });
});
