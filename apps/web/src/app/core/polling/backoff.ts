/**
 * Delay before the next attempt after `failures` consecutive failed polls: the normal interval doubled per failure
 * (interval, 2×, 4×, …) up to `maxMs`, with ±`jitter` spread so many open tabs do not retry in lock-step when the
 * API comes back. `random` is injectable so tests are deterministic.
 */
export function backoffDelay(
  failures: number,
  intervalMs: number,
  maxMs: number,
  jitter = 0.2,
  random: () => number = Math.random,
): number {
  if (failures <= 0) return intervalMs;
  const exponential = Math.min(intervalMs * 2 ** (failures - 1), Math.max(maxMs, intervalMs));
  const spread = 1 + jitter * (2 * random() - 1);
  return Math.round(exponential * spread);
}
