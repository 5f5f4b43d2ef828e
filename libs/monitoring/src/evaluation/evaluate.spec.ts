import { classify, evaluate, INITIAL_EVALUATION, type EvaluationState, type Thresholds } from './evaluate.js';

const thresholds: Thresholds = { failureThreshold: 3, recoveryThreshold: 2, latencyThresholdMs: 500 };

/** F = failed check, S = fast success (100 ms), L = slow success (900 ms, above the 500 ms threshold). */
type Step = 'F' | 'S' | 'L';
const OUTCOME = {
  F: { ok: false, latencyMs: 100 },
  S: { ok: true, latencyMs: 100 },
  L: { ok: true, latencyMs: 900 },
} as const;

/** Applies the steps one second apart, starting at t = 1000. */
function run(start: EvaluationState, steps: string, t: Thresholds = thresholds): EvaluationState[] {
  const states: EvaluationState[] = [];
  let current = start;
  [...steps].forEach((step, index) => {
    current = evaluate(current, OUTCOME[step as Step], t, 1000 * (index + 1));
    states.push(current);
  });
  return states;
}

const stateAfter = (start: EvaluationState, steps: string) => run(start, steps).at(-1)?.state;

/** A settled state (counters as after a long streak) entered at t = 0. */
function settled(state: EvaluationState['state']): EvaluationState {
  const base = { ...INITIAL_EVALUATION, state, since: 0 };
  switch (state) {
    case 'up':
      return { ...base, okStreak: 3, fastStreak: 3 };
    case 'degraded':
      return { ...base, okStreak: 3, badStreak: 3 };
    case 'down':
      return { ...base, failStreak: 3, badStreak: 3 };
    case 'unknown':
      return INITIAL_EVALUATION;
  }
}

describe('classify', () => {
  it('calls a failed check a failure whatever its latency', () => {
    expect(classify({ ok: false, latencyMs: 1 }, thresholds)).toBe('fail');
  });

  it('calls a success slow only when strictly above the latency threshold', () => {
    expect(classify({ ok: true, latencyMs: 500 }, thresholds)).toBe('fast');
    expect(classify({ ok: true, latencyMs: 501 }, thresholds)).toBe('slow');
  });
});

describe('evaluate (failure threshold 3, recovery threshold 2, latency threshold 500 ms)', () => {
  describe.each<[string, EvaluationState['state'], string, EvaluationState['state']]>([
    // from unknown: nothing to confirm on success, but an outage needs the failure threshold
    ['unknown becomes up on the first success', 'unknown', 'S', 'up'],
    ['unknown becomes up on the first slow success', 'unknown', 'L', 'up'],
    ['unknown stays unknown after 1 failure', 'unknown', 'F', 'unknown'],
    ['unknown stays unknown after 2 failures', 'unknown', 'FF', 'unknown'],
    ['unknown becomes down after 3 consecutive failures', 'unknown', 'FFF', 'down'],
    // from up
    ['up stays up after 2 failures', 'up', 'FF', 'up'],
    ['up becomes down after 3 consecutive failures', 'up', 'FFF', 'down'],
    ['up stays up when a success interrupts the failures', 'up', 'FFSFF', 'up'],
    ['up becomes down once 3 failures follow the interruption', 'up', 'FFSFFF', 'down'],
    ['up stays up after 2 slow successes', 'up', 'LL', 'up'],
    ['up becomes degraded (not down) after 3 slow successes', 'up', 'LLL', 'degraded'],
    ['up becomes degraded after 3 bad checks mixing slow and failed', 'up', 'LFL', 'degraded'],
    ['up stays up when a fast success interrupts the slow ones', 'up', 'LLSLL', 'up'],
    // from degraded
    ['degraded stays degraded after 1 fast success', 'degraded', 'S', 'degraded'],
    ['degraded becomes up after 2 consecutive fast successes', 'degraded', 'SS', 'up'],
    ['degraded stays degraded when a slow success interrupts the fast ones', 'degraded', 'SLS', 'degraded'],
    ['degraded stays degraded when a failure interrupts the fast ones', 'degraded', 'SFS', 'degraded'],
    ['degraded stays degraded on slow successes', 'degraded', 'LLLLL', 'degraded'],
    ['degraded becomes down after 3 consecutive failures', 'degraded', 'FFF', 'down'],
    // from down
    ['down stays down after 1 success', 'down', 'S', 'down'],
    ['down becomes up after 2 consecutive fast successes', 'down', 'SS', 'up'],
    ['down stays down when a failure interrupts the successes', 'down', 'SFS', 'down'],
    ['down becomes up once 2 fast successes follow the interruption', 'down', 'SFSS', 'up'],
    ['down becomes degraded when it recovers with slow successes', 'down', 'LL', 'degraded'],
    ['down becomes degraded when one of the recovering successes is slow', 'down', 'SL', 'degraded'],
    ['down becomes degraded when the first recovering success is slow', 'down', 'LS', 'degraded'],
    ['down stays down on failures', 'down', 'FFFFF', 'down'],
  ])('%s', (_name, from, steps, to) => {
    it(`${from} + ${steps} -> ${to}`, () => {
      expect(stateAfter(settled(from), steps)).toBe(to);
    });
  });

  it('goes down -> degraded -> up when a slow recovery later speeds up', () => {
    expect(run(settled('down'), 'LLSS').map((s) => s.state)).toEqual(['down', 'degraded', 'degraded', 'up']);
  });

  it('never reports degraded when the latency threshold is null, however slow', () => {
    const noLatency = { ...thresholds, latencyThresholdMs: null };
    const states = run(settled('up'), 'LLLLLL', noLatency);
    expect(states.every((s) => s.state === 'up')).toBe(true);
    expect(states.at(-1)?.badStreak).toBe(0);
    expect(run(settled('down'), 'LL', noLatency).at(-1)?.state).toBe('up');
  });

  it('follows a failure threshold of 1: one failure is enough', () => {
    const one = { ...thresholds, failureThreshold: 1 };
    expect(run(settled('up'), 'F', one).at(-1)?.state).toBe('down');
  });

  describe('since', () => {
    it('is null while unknown and never successfully checked', () => {
      expect(run(INITIAL_EVALUATION, 'FF').map((s) => s.since)).toEqual([null, null]);
    });

    it('is set to the check time on every state change and kept otherwise', () => {
      // t = 1000 up, 2000..3000 failures, 4000 down, 5000 success, 6000 up again
      const states = run(INITIAL_EVALUATION, 'SFFFSS');
      expect(states.map((s) => [s.state, s.since])).toEqual([
        ['up', 1000],
        ['up', 1000],
        ['up', 1000],
        ['down', 4000],
        ['down', 4000],
        ['up', 6000],
      ]);
    });
  });

  describe('streak counters', () => {
    it('count consecutive checks of each kind', () => {
      expect(
        run(settled('up'), 'SFL').map(({ failStreak, badStreak, okStreak, fastStreak }) => [
          failStreak,
          badStreak,
          okStreak,
          fastStreak,
        ]),
      ).toEqual([
        [0, 0, 3, 3],
        [1, 1, 0, 0],
        [0, 2, 1, 0],
      ]);
    });

    it('are capped at the largest threshold, so a long healthy streak stops changing the state object', () => {
      const states = run(INITIAL_EVALUATION, 'SSSSSSSSSS');
      expect(states[2]).toEqual({ state: 'up', since: 1000, failStreak: 0, badStreak: 0, okStreak: 3, fastStreak: 3 });
      for (const later of states.slice(3)) expect(later).toEqual(states[2]);
    });

    it('are capped on a long outage too', () => {
      const states = run(INITIAL_EVALUATION, 'F'.repeat(10));
      expect(states.at(-1)).toEqual({
        state: 'down',
        since: 3000,
        failStreak: 3,
        badStreak: 3,
        okStreak: 0,
        fastStreak: 0,
      });
      expect(states.at(-1)).toEqual(states[2]);
    });

    it('use the recovery threshold as the cap when it is the larger one', () => {
      const slowRecovery = { failureThreshold: 2, recoveryThreshold: 5, latencyThresholdMs: null };
      const states = run(settled('down'), 'SSSSSSS', slowRecovery);
      expect(states.map((s) => s.state)).toEqual(['down', 'down', 'down', 'down', 'up', 'up', 'up']);
      expect(states.at(-1)?.okStreak).toBe(5);
    });
  });

  it('does not mutate the previous state', () => {
    const previous = settled('up');
    const copy = { ...previous };
    evaluate(previous, OUTCOME.F, thresholds, 5000);
    expect(previous).toEqual(copy);
  });
});
