// node bench/rollup-flush.mjs <services> <days>: how long the once-a-second rollup flush holds the event loop when
// nothing is due (the usual second), with `days` restored days per service, using the compiled RollupWriter
// (BENCH_APP_MAIN picks another build: before/after pairs). Prints the median and max of 20 flushes after 5 warm-ups.
import { join } from 'node:path';
import { BUILD_MAIN } from './app.mjs';
import { rollupTargets } from './rollup-target.mjs';

const build = join(BUILD_MAIN, '../../../../libs/monitoring/src/history');
const { RollupWriter } = await import(join(build, 'rollup-writer.js'));
const { dayOf, emptyRollup } = await import(join(build, 'rollup.js'));
const newTarget = await rollupTargets(build);
const [services, days] = process.argv.slice(2).map(Number);
const now = Date.now();
const store = { saveRollup: async () => 'ok' };
const writer = new RollupWriter(store, { flushChecks: 10, flushMs: 1_800_000, historyDays: 90 }, console);
const targets = [];
for (let index = 0; index < services; index += 1) {
  const id = `svc-${String(index).padStart(5, '0')}`;
  const stored = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const rollup = emptyRollup(id, dayOf(now - back * 86_400_000));
    rollup.through = now - back * 86_400_000;
    stored.push(rollup);
  }
  const target = newTarget(id);
  writer.restore(target, stored, now);
  targets.push(target);
}
const times = [];
for (let round = 0; round < 25; round += 1) {
  const started = performance.now();
  await writer.flush(targets, now);
  if (round >= 5) times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ services, days, medianMs: times[Math.floor(times.length / 2)], maxMs: times.at(-1) })}\n`,
);
