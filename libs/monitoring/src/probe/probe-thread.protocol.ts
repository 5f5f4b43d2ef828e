import type { ProbeResult, ProbeTarget } from './prober.js';

/* What the main thread and the probe thread say to each other (kept apart so the thread loads nothing else). */

/** What the probe thread is started with. */
export interface ProbeThreadData {
  /** TARGET_ALLOW_CIDRS: the thread builds the same SSRF policy. */
  allowCidrs: string;
}

export type ToProbeThread =
  | { type: 'probe'; id: number; target: ProbeTarget; at: number }
  /** That check resolves `pending` if it has not started. */
  | { type: 'cancel'; id: number }
  /** Every check still waiting for its due time resolves `pending` (shutdown). */
  | { type: 'cancel-waiting' };

export type FromProbeThread =
  /** Its probers are loaded: from now on a check it holds may have started. */
  | { type: 'ready' }
  | { type: 'result'; id: number; result: ProbeResult }
  | { type: 'failed'; id: number; message: string };

/** What a check cancelled before it started resolves to: nothing to judge, nothing stored. */
export function cancelled(): ProbeResult {
  return { startedAt: Date.now(), ok: false, latencyMs: 0, pending: true };
}
