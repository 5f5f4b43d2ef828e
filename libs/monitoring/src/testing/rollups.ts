import { emptyRollup, foldCheck, type DailyRollup } from '../history/rollup.js';

/**
 * A rollup of `checks` checks one second apart from `hour`:00 UTC of `day`, the first `failures` of them failed,
 * latencies `latencyMs`, `latencyMs + 1`, ... Folded into `into` when given.
 */
export function dayRollup(
  serviceId: string,
  day: string,
  { hour = 9, checks = 3, failures = 1, latencyMs = 100 } = {},
  into: DailyRollup = emptyRollup(serviceId, day),
): DailyRollup {
  const start = Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000;
  for (let index = 0; index < checks; index += 1)
    foldCheck(into, {
      at: start + index * 1000,
      ok: index >= failures,
      latencyMs: latencyMs + index,
      maintenance: false,
    });
  return into;
}
