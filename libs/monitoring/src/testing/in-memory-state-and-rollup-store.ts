import type { EvaluationState } from '../evaluation/evaluate.js';
import type { DailyRollup } from '../history/rollup.js';
import { StateAndRollupStore, type RollupKey, type RollupWrite, type StoredServiceState } from '../ports.js';

/**
 * StateAndRollupStore with the adapter's semantics: copies in and out, rollup writes conditional on `through`,
 * every write refused once a newer fencing epoch was stamped on the item.
 */
export class InMemoryStateAndRollupStore extends StateAndRollupStore {
  readonly states = new Map<string, EvaluationState>();
  readonly rollups = new Map<string, DailyRollup>();
  /** Fencing epochs by item key (`<serviceId>` for the state, `<serviceId>/<day>` for a rollup). */
  readonly epochs = new Map<string, number>();
  saveStateCalls = 0;
  fenceCalls = 0;
  loadCalls = 0;
  loadAllCalls = 0;
  loadRollupsCalls = 0;
  /** The clean-stop record (`markCleanStop`), null when there is none. */
  cleanStop: number | null = null;

  markCleanStop(at: number): Promise<void> {
    this.cleanStop = at;
    return Promise.resolve();
  }

  takeCleanStop(): Promise<number | null> {
    const at = this.cleanStop;
    this.cleanStop = null;
    return Promise.resolve(at);
  }

  /** Every stored service, day by day (the copies of finished days are kept for specs to read, not read here). */
  async loadAll(fromDay: string, hourSlots = true): Promise<Map<string, StoredServiceState>> {
    this.loadAllCalls += 1;
    const ids = new Set([...this.states.keys(), ...[...this.rollups.values()].map((rollup) => rollup.serviceId)]);
    const out = new Map<string, StoredServiceState>();
    for (const id of ids) {
      const stored = await this.read(id, fromDay);
      // As the DynamoDB adapter: without hour slots when not asked for them.
      if (!hourSlots)
        for (const rollup of stored.rollups) {
          rollup.hourTotal = [];
          rollup.hourFailures = [];
          rollup.hourLatencySum = [];
        }
      if (stored.state !== null || stored.rollups.length > 0) out.set(id, stored);
    }
    return out;
  }

  loadRollups(keys: readonly RollupKey[]): Promise<DailyRollup[]> {
    this.loadRollupsCalls += 1;
    return Promise.resolve(
      keys.flatMap(({ serviceId, day }) => {
        const stored = this.rollups.get(`${serviceId}/${day}`);
        return stored ? [structuredClone(stored)] : [];
      }),
    );
  }

  load(serviceId: string, fromDay: string): Promise<StoredServiceState> {
    this.loadCalls += 1;
    return this.read(serviceId, fromDay);
  }

  private read(serviceId: string, fromDay: string): Promise<StoredServiceState> {
    const state = this.states.get(serviceId);
    return Promise.resolve({
      state: state ? { ...state } : null,
      rollups: [...this.rollups.values()]
        .filter((rollup) => rollup.serviceId === serviceId && rollup.day >= fromDay)
        .sort((a, b) => a.day.localeCompare(b.day))
        .map((rollup) => structuredClone(rollup)),
    });
  }

  saveState(serviceId: string, state: EvaluationState, epoch: number): Promise<boolean> {
    this.saveStateCalls += 1;
    if (!this.stamp(serviceId, epoch)) return Promise.resolve(false);
    this.states.set(serviceId, { ...state });
    return Promise.resolve(true);
  }

  saveRollup(rollup: DailyRollup, expectedThrough: number | null, epoch: number): Promise<RollupWrite> {
    const key = `${rollup.serviceId}/${rollup.day}`;
    if ((this.epochs.get(key) ?? 0) > epoch) return Promise.resolve('fenced');
    if ((this.rollups.get(key)?.through ?? null) !== expectedThrough) return Promise.resolve('conflict');
    this.stamp(key, epoch);
    this.rollups.set(key, structuredClone(rollup));
    return Promise.resolve('saved');
  }

  fence(serviceId: string, days: readonly string[], epoch: number): Promise<StoredServiceState | null> {
    this.fenceCalls += 1;
    const keys = [serviceId, ...days.map((one) => `${serviceId}/${one}`)];
    if (keys.some((key) => (this.epochs.get(key) ?? 0) > epoch)) return Promise.resolve(null);
    for (const key of keys) this.epochs.set(key, epoch);
    const state = this.states.get(serviceId);
    return Promise.resolve({
      state: state ? { ...state } : null,
      rollups: days.flatMap((one) => {
        const stored = this.rollups.get(`${serviceId}/${one}`);
        return stored ? [structuredClone(stored)] : [];
      }),
    });
  }

  /** Each service's copy of its finished days (`saveFinishedDays`); a dropped one is gone (its epoch stays). */
  readonly finishedCopies = new Map<string, { through: string; days: DailyRollup[] }>();
  saveFinishedDaysCalls = 0;
  dropFinishedDaysCalls = 0;

  saveFinishedDays(serviceId: string, days: readonly DailyRollup[], through: string, epoch: number): Promise<boolean> {
    this.saveFinishedDaysCalls += 1;
    if (!this.stamp(`${serviceId}#finished`, epoch)) return Promise.resolve(false);
    this.finishedCopies.set(serviceId, { through, days: structuredClone([...days]) });
    return Promise.resolve(true);
  }

  dropFinishedDays(serviceId: string, epoch: number): Promise<boolean> {
    this.dropFinishedDaysCalls += 1;
    if (!this.stamp(`${serviceId}#finished`, epoch)) return Promise.resolve(false);
    this.finishedCopies.delete(serviceId);
    return Promise.resolve(true);
  }

  remove(serviceId: string): Promise<void> {
    this.finishedCopies.delete(serviceId);
    this.states.delete(serviceId);
    for (const [key, rollup] of this.rollups) if (rollup.serviceId === serviceId) this.rollups.delete(key);
    for (const key of [...this.epochs.keys()])
      if (key === serviceId || key.startsWith(`${serviceId}/`) || key === `${serviceId}#finished`)
        this.epochs.delete(key);
    return Promise.resolve();
  }

  /** Stores rollups as if written earlier (no condition). */
  seed(...rollups: DailyRollup[]): void {
    for (const rollup of rollups) this.rollups.set(`${rollup.serviceId}/${rollup.day}`, structuredClone(rollup));
  }

  /** The stored rollup of one service and day. */
  rollup(serviceId: string, day: string): DailyRollup | undefined {
    return this.rollups.get(`${serviceId}/${day}`);
  }

  private stamp(key: string, epoch: number): boolean {
    if ((this.epochs.get(key) ?? 0) > epoch) return false;
    this.epochs.set(key, epoch);
    return true;
  }
}
