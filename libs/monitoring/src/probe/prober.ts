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
   * Nothing to judge yet (a heartbeat service whose first ping is not due): not a check, nothing is stored or
   * evaluated.
   */
  pending?: boolean;
}

/** Port: anything that can check a target. DispatchingProber hands each kind to its prober. */
export abstract class Prober {
  abstract probe(target: ProbeTarget): Promise<ProbeResult>;
}
