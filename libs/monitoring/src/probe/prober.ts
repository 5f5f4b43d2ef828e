import type { HttpMethod } from '@app/contracts';
import type { StatusRange } from '../catalog/service-definition.js';

export interface ProbeTarget {
  url: string;
  method: HttpMethod;
  timeoutMs: number;
  expectedStatus: StatusRange[];
}

/** What one probe saw: `ok`, or a short failure reason ("timeout after 800ms", "HTTP 503", "ECONNREFUSED"). */
export interface ProbeResult {
  /** Epoch ms the probe started. */
  startedAt: number;
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: string;
}

/** Port: anything that can check a target. The HTTP implementation is HttpProber. */
export abstract class Prober {
  abstract probe(target: ProbeTarget): Promise<ProbeResult>;
}
