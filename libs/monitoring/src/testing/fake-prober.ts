import { Prober, type ProbeResult, type ProbeTarget } from '../probe/prober.js';

export interface Outcome {
  ok: boolean;
  latencyMs: number;
}

export const OK: Outcome = { ok: true, latencyMs: 20 };
export const FAIL: Outcome = { ok: false, latencyMs: 30 };

/**
 * Prober double: scripted outcomes per URL (OK once the script runs out), stamped with `clock`, optionally held
 * open to simulate slow targets. Records every call (and the `at` it was asked to start at) and the most checks it
 * saw in flight. With a `leadMs` it takes checks early, like ThreadedProber; `cancelWaiting` is counted, and a held
 * check whose `cancel` is aborted resolves `pending`.
 */
export class FakeProber extends Prober {
  readonly calls: ProbeTarget[] = [];
  /** The `at` of each call, in order. */
  readonly startAts: (number | undefined)[] = [];
  cancelled = 0;
  readonly maxInFlightPerUrl = new Map<string, number>();
  maxInFlight = 0;
  hold = false;
  private readonly inFlight = new Map<string, number>();
  private readonly held: (() => void)[] = [];
  private readonly script = new Map<string, Outcome[]>();

  constructor(
    public clock = Date.now(),
    override readonly leadMs = 0,
  ) {
    super();
  }

  override cancelWaiting(): void {
    this.cancelled += 1;
  }

  outcomes(url: string, ...outcomes: Outcome[]): void {
    this.script.set(url, [...(this.script.get(url) ?? []), ...outcomes]);
  }

  /** Lets `count` held probes finish (oldest first). */
  release(count = Number.POSITIVE_INFINITY): void {
    this.held.splice(0, count).forEach((resolve) => resolve());
  }

  callsTo(url: string): number {
    return this.calls.filter((call) => call.url === url).length;
  }

  async probe(target: ProbeTarget, at?: number, cancel?: AbortSignal): Promise<ProbeResult> {
    this.calls.push(target);
    this.startAts.push(at);
    const startedAt = this.clock;
    const now = (this.inFlight.get(target.url) ?? 0) + 1;
    this.inFlight.set(target.url, now);
    this.maxInFlightPerUrl.set(target.url, Math.max(now, this.maxInFlightPerUrl.get(target.url) ?? 0));
    this.maxInFlight = Math.max(
      this.maxInFlight,
      [...this.inFlight.values()].reduce((a, b) => a + b, 0),
    );
    const cancelled = this.hold
      ? await new Promise<boolean>((resolve) => {
          this.held.push(() => resolve(false));
          cancel?.addEventListener('abort', () => resolve(true), { once: true });
        })
      : false;
    this.inFlight.set(target.url, (this.inFlight.get(target.url) ?? 1) - 1);
    if (cancelled) return { startedAt, ok: false, latencyMs: 0, pending: true };
    const outcome = this.script.get(target.url)?.shift() ?? OK;
    return {
      startedAt,
      ...outcome,
      ...(outcome.ok ? { statusCode: 200 } : { statusCode: 503, error: 'HTTP 503' }),
    };
  }
}
