import { INITIAL_EVALUATION, type EvaluationState } from './evaluate.js';
import { StateWriter } from './state-writer.js';
import { WRITES_IN_FLIGHT, WRITES_PER_TURN } from '../scheduling/in-turns.js';
import { InMemoryStateAndRollupStore } from '../testing/index.js';

/** Yields until queued promise callbacks have run. */
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

/** A store whose state writes wait until released, counting how many run at once. */
class GatedStore extends InMemoryStateAndRollupStore {
  private readonly gates: (() => void)[] = [];
  running = 0;
  maxRunning = 0;
  failNext = false;

  override async saveState(serviceId: string, state: EvaluationState, epoch: number): Promise<boolean> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    await new Promise<void>((resolve) => this.gates.push(resolve));
    this.running -= 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('throttled');
    }
    return super.saveState(serviceId, state, epoch);
  }

  release(): void {
    this.gates.splice(0).forEach((open) => open());
  }
}

describe('StateWriter', () => {
  let store: GatedStore;
  let writer: StateWriter;
  let warnings: string[];
  let fenced: string[];
  const api = (
    evaluation: EvaluationState = INITIAL_EVALUATION,
    epoch: number | null = 7,
  ): { service: { id: string }; evaluation: EvaluationState; epoch: number | null } => ({
    service: { id: 'api' },
    evaluation,
    epoch,
  });
  const down: EvaluationState = { state: 'down', since: 1000, failStreak: 3, badStreak: 3, okStreak: 0, fastStreak: 0 };
  /** 40 services whose state changed to down (more than WRITES_IN_FLIGHT), ids `<prefix>0` … `<prefix>39`. */
  const changedServices = (prefix: string) =>
    Array.from({ length: 40 }, (_, index) => ({ service: { id: `${prefix}${index}` }, evaluation: down, epoch: 7 }));

  beforeEach(() => {
    store = new GatedStore();
    warnings = [];
    fenced = [];
    writer = new StateWriter(
      store,
      { warn: (message: string) => void warnings.push(message) },
      (target, epoch) => void fenced.push(`${target.service.id}@${epoch}`),
    );
  });

  it('chains writes of one service and writes the evaluation current when each starts', async () => {
    const target = api();
    const first = writer.saveNow(target);
    target.evaluation = down;
    const second = writer.saveNow(target);
    await settle();
    expect(store.running).toBe(1);
    store.release();
    await first;
    await settle();
    store.release();
    await second;
    expect(store.maxRunning).toBe(1);
    expect(store.states.get('api')).toEqual(down);
    expect(writer.inFlight(target)).toBeNull();
  });

  it('writes a changed evaluation only at the next flush, once', async () => {
    const target = api(down);
    writer.changed(target);
    await settle();
    expect(store.saveStateCalls).toBe(0);
    void writer.flush();
    void writer.flush(); // in flight already: no second write
    await settle();
    store.release();
    await writer.inFlight(target);
    expect(store.saveStateCalls).toBe(1);
  });

  it('starts the writes of many changed services a few per turn, at most WRITES_IN_FLIGHT at once over all flushes, each once', async () => {
    const targets = changedServices('s');
    for (const target of targets) writer.changed(target);
    const flushed = writer.flush();
    for (let i = 0; i < 10; i += 1) await Promise.resolve(); // promise callbacks only: no turn of the loop
    expect(store.running).toBe(WRITES_PER_TURN);
    const again = writer.flush(); // as every tick and every check's turn does: lists none of them again
    await settle();
    expect(store.running).toBe(WRITES_IN_FLIGHT);
    while (store.saveStateCalls < 40 || store.running > 0) {
      store.release();
      await settle();
    }
    await Promise.all([flushed, again]);
    expect(store.maxRunning).toBe(WRITES_IN_FLIGHT);
    expect(store.saveStateCalls).toBe(40);
    expect(targets.every((target) => writer.current(target))).toBe(true);
  });

  it('logs a failed write and retries it at the next flush', async () => {
    const target = api(down);
    store.failNext = true;
    const write = writer.saveNow(target);
    await settle();
    store.release();
    await expect(write).resolves.toBeUndefined();
    expect(warnings).toEqual(['saving state of api failed: Error: throttled']);
    void writer.flush();
    await settle();
    store.release();
    await writer.inFlight(target);
    expect(store.states.get('api')).toEqual(down);
  });

  it('drops the pending change of a removed service', async () => {
    const target = api(down);
    writer.changed(target);
    writer.forget(target);
    void writer.flush();
    await settle();
    expect(store.running).toBe(0);
  });

  it('stamps the epoch on the stored state, and a write with an older epoch is refused and reported once', async () => {
    const target = api(down, 7);
    const write = writer.saveNow(target);
    await settle();
    store.release();
    await write;
    expect(store.epochs.get('api')).toBe(7);
    expect(writer.current(target)).toBe(true);

    await store.fence('api', ['2026-01-10'], 9); // another replica took the shard over
    const stale = writer.saveNow(api(INITIAL_EVALUATION, 7));
    await settle();
    store.release();
    await stale;
    expect(store.states.get('api')).toEqual(down);
    expect(fenced).toEqual(['api@7']);
    void writer.flush();
    await settle();
    expect(store.running).toBe(0); // not retried: the service is someone else's
  });

  it('writes nothing for a service this replica does not work (no epoch)', async () => {
    const target = api(down, null);
    await writer.saveNow(target);
    expect(store.saveStateCalls).toBe(0);
    expect(fenced).toEqual([]);
  });

  it('drains: flushes and waits for the writes in flight', async () => {
    const target = api(down);
    writer.changed(target);
    const drained = writer.drain(1000);
    await settle();
    store.release();
    await drained;
    expect(store.states.get('api')).toEqual(down);
  });

  it('drains a service still queued behind another flush without spinning (the flush gets its turns)', async () => {
    const targets = changedServices('q');
    for (const target of targets) writer.changed(target);
    void writer.flush(); // 16 in flight, the rest queued behind them
    await settle();
    const last = targets[39]!;
    // Only a timer opens the store here: a drain that never yields to timers would never see it written.
    const opener = setInterval(() => store.release(), 5);
    try {
      await writer.drain(2000, (target) => target === last);
    } finally {
      clearInterval(opener);
    }
    expect(store.states.get('q39')).toEqual(down);
  });
});
