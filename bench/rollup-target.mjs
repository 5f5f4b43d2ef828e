// What the compiled RollupWriter of a build takes as one service's rollups: builds since the packed history
// (FinishedDays) also take the packed days; older builds (a BENCH_APP_MAIN baseline) do not have them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** `build`: the compiled libs/monitoring/src/history folder. Returns (id) => a new target for RollupWriter. */
export async function rollupTargets(build) {
  const file = join(build, 'finished-days.js');
  const packed = existsSync(file) ? await import(file) : null;
  return (id) => ({
    service: { id },
    rollups: new Map(),
    ...(packed ? { finished: new packed.FinishedDays(id) } : {}),
    epoch: 1,
  });
}
