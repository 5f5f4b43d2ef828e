import { formatDuration } from '../catalog/duration.js';
import { HeartbeatStore } from '../ports.js';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';

/** "1h 5m", "3m 20s", "45s": the two largest units of a duration. */
export function ago(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const units: [number, string][] = [
    [Math.floor(total / 86_400), 'd'],
    [Math.floor((total % 86_400) / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's'],
  ];
  const first = units.findIndex(([value]) => value > 0);
  if (first < 0) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value}${unit}`)
    .join(' ');
}

/**
 * Heartbeat "probe": no network, one read of the service's last ping (a GetItem per check, at the check's interval,
 * never per page view). Up when the last ping is recent enough and did not report a failure; down when it is late
 * or reported `status=fail` (with its message); nothing to judge before a new service's first ping is due.
 */
export class HeartbeatProber extends Prober {
  constructor(
    private readonly store: HeartbeatStore,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const check = target.check;
    if (check.kind !== 'heartbeat') throw new Error(`HeartbeatProber cannot check kind ${check.kind}`);
    const startedAt = this.now();
    const started = performance.now();
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    let timer: NodeJS.Timeout | undefined;
    let record;
    try {
      record = await Promise.race([
        this.store.get(target.serviceId),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`timeout after ${target.timeoutMs}ms`)), target.timeoutMs);
        }),
      ]);
    } catch (error) {
      return { startedAt, ok: false, latencyMs: elapsed(), error: (error as Error).message.slice(0, 200) };
    } finally {
      clearTimeout(timer);
    }
    const window = target.intervalMs + check.graceMs;
    const expected = `expected every ${formatDuration(target.intervalMs)} + ${formatDuration(check.graceMs)} grace`;
    const latencyMs = elapsed();
    if (!record || record.lastPingAt === null) {
      const since = record?.createdAt ?? startedAt;
      if (startedAt - since < window) return { startedAt, ok: true, latencyMs, pending: true };
      return { startedAt, ok: false, latencyMs, error: `no ping received yet (${expected})` };
    }
    const age = startedAt - record.lastPingAt;
    if (age > window) return { startedAt, ok: false, latencyMs, error: `no ping for ${ago(age)} (${expected})` };
    if (record.lastStatus === 'fail')
      return {
        startedAt,
        ok: false,
        latencyMs,
        error: `ping reported failure${record.lastMessage ? `: ${record.lastMessage}` : ''}`.slice(0, 200),
      };
    return { startedAt, ok: true, latencyMs };
  }
}
