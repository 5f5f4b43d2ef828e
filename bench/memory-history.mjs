// node --expose-gc bench/memory-history.mjs <services> <days>: the heap a restored history costs per service.
// Fresh bench runs have one day of rollups; a host that has run for 90 days restores 90 per service at boot. This
// restores `days` stored-like rollups (4,320 checks a day, hour slots filled) per service with the compiled
// RollupWriter and prints the live heap plus array-buffer bytes they hold, after a full GC. Used by the bench's
// memory step.
import { join } from 'node:path';
import { BUILD_MAIN } from './app.mjs';
import { rollupTargets } from './rollup-target.mjs';

const build = join(BUILD_MAIN, '../../../../libs/monitoring/src/history');
const { RollupWriter } = await import(join(build, 'rollup-writer.js'));
const { dayOf, emptyRollup, foldCheck } = await import(join(build, 'rollup.js'));
const newTarget = await rollupTargets(build);
const [services, days] = process.argv.slice(2).map(Number);
const now = Date.now();
const writer = new RollupWriter({}, { flushChecks: 10, flushMs: 1_800_000, historyDays: 90 }, console);
const live = () => {
  globalThis.gc();
  globalThis.gc();
  // Typed arrays keep their bytes outside the V8 heap (arrayBuffers): both are what the history costs.
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const targets = [];
const before = live();
for (let index = 0; index < services; index += 1) {
  const id = `svc-${String(index).padStart(5, '0')}`;
  const stored = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const day = dayOf(now - back * 86_400_000);
    const rollup = emptyRollup(id, day);
    for (let hour = 0; hour < 24; hour += 1)
      foldCheck(rollup, {
        at: Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000 + 1000,
        ok: hour % 7 !== 0,
        latencyMs: 20 + ((hour * 37) % 300),
        maintenance: false,
      });
    // What the store returns: a fresh object per item (strings and arrays not shared with anything).
    stored.push(JSON.parse(JSON.stringify(rollup)));
  }
  const target = newTarget(id);
  writer.restore(target, stored, now);
  targets.push(target);
}
const after = live();
const kept = targets.reduce((sum, target) => sum + target.rollups.size + (target.finished?.size ?? 0), 0);
process.stdout.write(
  `${JSON.stringify({ services, days, kept, heapMb: (after - before) / 2 ** 20, perServiceKb: (after - before) / services / 1024 })}\n`,
);
