import type { EvaluationState } from '../evaluation/evaluate.js';
import type { DailyRollup } from '../history/rollup.js';
import { StateAndRollupStore } from '../ports.js';

/** StateAndRollupStore with the adapter's semantics: copies in and out, rollup writes conditional on `through`. */
export class InMemoryStateAndRollupStore extends StateAndRollupStore {
  readonly states = new Map<string, EvaluationState>();
  readonly rollups = new Map<string, DailyRollup>();
  saveStateCalls = 0;

  load(serviceId: string, fromDay: string): Promise<{ state: EvaluationState | null; rollups: DailyRollup[] }> {
    const state = this.states.get(serviceId);
    return Promise.resolve({
      state: state ? { ...state } : null,
      rollups: [...this.rollups.values()]
        .filter((rollup) => rollup.serviceId === serviceId && rollup.day >= fromDay)
        .sort((a, b) => a.day.localeCompare(b.day))
        .map((rollup) => structuredClone(rollup)),
    });
  }

  saveState(serviceId: string, state: EvaluationState): Promise<void> {
    this.saveStateCalls += 1;
    this.states.set(serviceId, { ...state });
    return Promise.resolve();
  }

  saveRollup(rollup: DailyRollup, expectedThrough: number | null): Promise<boolean> {
    const key = `${rollup.serviceId}/${rollup.day}`;
    if ((this.rollups.get(key)?.through ?? null) !== expectedThrough) return Promise.resolve(false);
    this.rollups.set(key, structuredClone(rollup));
    return Promise.resolve(true);
  }

  remove(serviceId: string): Promise<void> {
    this.states.delete(serviceId);
    for (const [key, rollup] of this.rollups) if (rollup.serviceId === serviceId) this.rollups.delete(key);
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
}
