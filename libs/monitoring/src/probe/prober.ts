import type { CheckSpec } from '../catalog/service-definition.js';

/** What one check of one service needs: its kind's options, its target and its deadline. */
export interface ProbeTarget {
  serviceId: string;
  /** The http(s):// or tcp:// URL; empty for dns and heartbeat checks. */
  url: string;
  timeoutMs: number;
  intervalMs: number;
  check: CheckSpec;
}

/** What one probe saw: `ok`, or a short failure reason ("timeout after 800ms", "HTTP 503", "ECONNREFUSED"). */
export interface ProbeResult {
  /** Epoch ms the probe started. */
  startedAt: number;
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: string;
  /** Why a success counts as degraded ("certificate expires in 3 days"); evaluated like a slow check. */
  warning?: string;
  /** Epoch ms notAfter of the leaf certificate the check saw (HTTPS, TLS over TCP). */
  certificateNotAfter?: number;
  /**
   * Nothing to judge yet (a heartbeat service whose first ping is not due, or a check cancelled before it started):
   * not a check, nothing is stored or evaluated.
   */
  pending?: boolean;
}

/** Port: anything that can check a target. DispatchingProber hands each kind to its prober. */
export abstract class Prober {
  /**
   * How long before a check's due time the runner may hand it over. 0 (these probers): at its due time, and the
   * probe starts at once. ThreadedProber takes checks this early and starts each at its `at` on its own thread, so
   * the API's traffic on the main thread cannot make a check late.
   */
  readonly leadMs: number = 0;

  /** Where the checks run (shown by /api/health): ThreadedProber's own thread, or the API's. */
  get runsOn(): 'main thread' | 'probe thread' {
    return 'main thread';
  }

  /**
   * Checks `target`, starting at `at` (epoch ms) when that is still ahead and the prober takes checks early. An
   * abort of `cancel` before then cancels it: it resolves `pending` without reaching the target (once started, a
   * check runs to its end).
   */
  abstract probe(target: ProbeTarget, at?: number, cancel?: AbortSignal): Promise<ProbeResult>;

  /** Checks handed over early and not started yet resolve `pending` (nothing is stored): at shutdown. */
  cancelWaiting(): void {}
}
