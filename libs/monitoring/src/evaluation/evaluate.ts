import type { ServiceState } from '@app/contracts';

/** Outcome of one probe, as the evaluator sees it. */
export interface CheckOutcome {
  ok: boolean;
  latencyMs: number;
  /** A success with a reason to be degraded (a certificate about to expire) counts like a slow one. */
  warning?: string;
}

export interface Thresholds {
  failureThreshold: number;
  recoveryThreshold: number;
  latencyThresholdMs: number | null;
}

/**
 * Evaluated state plus the streak counters that decide the next transition. Counters are capped at the largest
 * threshold they are compared with, so a healthy service's state stops changing (and stops being written).
 */
export interface EvaluationState {
  state: Exclude<ServiceState, 'maintenance'>;
  /** Epoch ms the service entered `state`; null while unknown and never checked. */
  since: number | null;
  failStreak: number;
  /** Consecutive checks that failed or were slower than the latency threshold. */
  badStreak: number;
  /** Consecutive successful checks (slow or fast). */
  okStreak: number;
  /** Consecutive successful checks within the latency threshold. */
  fastStreak: number;
}

export const INITIAL_EVALUATION: EvaluationState = {
  state: 'unknown',
  since: null,
  failStreak: 0,
  badStreak: 0,
  okStreak: 0,
  fastStreak: 0,
};

export type Classification = 'fast' | 'slow' | 'fail';

export function classify(outcome: CheckOutcome, thresholds: Thresholds): Classification {
  if (!outcome.ok) return 'fail';
  if (outcome.warning !== undefined) return 'slow';
  return thresholds.latencyThresholdMs !== null && outcome.latencyMs > thresholds.latencyThresholdMs ? 'slow' : 'fast';
}

/**
 * Applies one check outcome. Rules (no false alarms, no missed outages):
 * - `failureThreshold` consecutive failures make any state `down`;
 * - `failureThreshold` consecutive bad checks (slow or failed) make `up` become `degraded`;
 * - `down` recovers after `recoveryThreshold` consecutive successes: to `up` if they were all fast, else `degraded`;
 * - `degraded` becomes `up` after `recoveryThreshold` consecutive fast successes;
 * - `unknown` becomes `up` on the first success (nothing to confirm), `down` only after the failure threshold.
 */
export function evaluate(
  previous: EvaluationState,
  outcome: CheckOutcome,
  thresholds: Thresholds,
  now: number,
): EvaluationState {
  const kind = classify(outcome, thresholds);
  const cap = Math.max(thresholds.failureThreshold, thresholds.recoveryThreshold);
  const bump = (value: number) => Math.min(cap, value + 1);
  const counters = {
    failStreak: kind === 'fail' ? bump(previous.failStreak) : 0,
    badStreak: kind === 'fast' ? 0 : bump(previous.badStreak),
    okStreak: kind === 'fail' ? 0 : bump(previous.okStreak),
    fastStreak: kind === 'fast' ? bump(previous.fastStreak) : 0,
  };
  const next = nextState(previous.state, counters, thresholds);
  return { state: next, since: next === previous.state ? previous.since : now, ...counters };
}

function nextState(
  state: EvaluationState['state'],
  c: Pick<EvaluationState, 'failStreak' | 'badStreak' | 'okStreak' | 'fastStreak'>,
  t: Thresholds,
): EvaluationState['state'] {
  if (c.failStreak >= t.failureThreshold) return 'down';
  switch (state) {
    case 'unknown':
      return c.okStreak > 0 ? 'up' : 'unknown';
    case 'up':
      return c.badStreak >= t.failureThreshold ? 'degraded' : 'up';
    case 'degraded':
      return c.fastStreak >= t.recoveryThreshold ? 'up' : 'degraded';
    case 'down':
      if (c.okStreak < t.recoveryThreshold) return 'down';
      return c.fastStreak >= t.recoveryThreshold ? 'up' : 'degraded';
    default: {
      const unreachable: never = state;
      return unreachable;
    }
  }
}
