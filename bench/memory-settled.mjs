// Where the memory of a settled install goes: N services with `days` of stored history (bench/boot-seed.mjs, each
// service's copy of its finished days included), the app started on it the way `npm start` runs it (embedded store
// on its thread), sampled `settle` seconds after healthy with bench/memory-probe.mjs (process.memoryUsage() before and
// after a full GC, the main thread's heap spaces; with a snapshot file, a heap snapshot of the main thread).
//
//   node bench/memory-settled.mjs <services> <days> <settle seconds> [heap snapshot file]
// Uses the build in bench/results/build (node bench/build.mjs, or npm run bench once). Prints one JSON line.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH_DIR,
  RUNTIME,
  removeTemps,
  servicesYaml,
  startApp,
  startDynalite,
  startTarget,
  tempDir,
} from './app.mjs';
import { launch, memoryMb, sleep } from './lib.mjs';

const [n, days, settle] = process.argv.slice(2, 5).map(Number);
const snapshot = process.argv[5] || null;
// BENCH_EXTERNAL=1: the app on a dynalite process of its own (the production shape; its RSS is printed apart).
const external = process.env.BENCH_EXTERNAL === '1';
const intervalMs = 60_000;
const dir = tempDir('memory-settled');
// BENCH_SEED_DIR=<dir>: keep the seeded store there and reuse it in later runs of the same size.
const template = process.env.BENCH_SEED_DIR ? join(process.env.BENCH_SEED_DIR, `seed-${n}x${days}`) : null;
if (!template || !existsSync(join(template, 'dynamodb'))) {
  const seedDir = template ?? tempDir('memory-seed');
  const dynalite = await startDynalite(join(seedDir, 'dynamodb'));
  const seeder = launch('seed', process.execPath, [
    join(BENCH_DIR, 'boot-seed.mjs'),
    join(BENCH_DIR, 'results/build'),
    dynalite.endpoint,
    String(n),
    String(days),
    String(intervalMs),
  ]);
  const exit = await seeder.exited;
  if (exit.code !== 0) throw new Error(`seeding failed:\n${seeder.output().slice(-3000)}`);
  const seeded = JSON.parse(seeder.output().trim().split('\n').pop());
  await dynalite.proc.stop();
  console.error(`seeded ${seeded.items} items in ${(seeded.ms / 1000).toFixed(1)} s`);
  execFileSync('cp', ['-a', join(seedDir, 'dynamodb'), join(dir, 'dynamodb')]);
} else execFileSync('cp', ['-a', join(template, 'dynamodb'), join(dir, 'dynamodb')]);
const target = await startTarget();
const store = external ? await startDynalite(join(dir, 'dynamodb')) : null;
const file = join(dir, 'memory.json');
const app = await startApp({
  servicesYaml: servicesYaml(n, target.base, { interval: `${intervalMs / 1000}s` }),
  dataDir: dir,
  ...(store ? { dynamoEndpoint: store.endpoint } : {}),
  env: { BENCH_MEMORY_FILE: file, ...(snapshot ? { BENCH_HEAP_SNAPSHOT: snapshot } : {}) },
  nodeArgs: [...RUNTIME.flags, '--expose-gc', '--import', join(BENCH_DIR, 'memory-probe.mjs')],
  healthyTimeoutMs: 600_000,
});
const series = [];
const storeSeries = [];
const started = Date.now();
while (Date.now() - started < settle * 1000) {
  await sleep(5000);
  series.push(Math.round(memoryMb(app.pid)?.rss ?? NaN));
  if (store) storeSeries.push(Math.round(memoryMb(store.proc.pid)?.rss ?? NaN));
}
const rssBefore = memoryMb(app.pid);
process.kill(app.pid, 'SIGUSR2');
for (let attempt = 0; attempt < 1200 && !existsSync(file); attempt += 1) await sleep(100);
await sleep(snapshot ? 5000 : 500);
const probe = JSON.parse(readFileSync(file, 'utf8'));
const rssAfterGc = memoryMb(app.pid);
const smaps = execFileSync('sh', [
  '-c',
  `cat /proc/${app.pid}/status | grep -E 'VmRSS|RssAnon|RssFile|Threads'`,
]).toString();
console.log(
  JSON.stringify({
    n,
    days,
    settle,
    external,
    storeSeries,
    bootMs: app.bootMs,
    rssSeriesMb: series,
    rssBefore,
    rssAfterGc,
    smaps,
    ...probe,
    packages: undefined,
  }),
);
await app.proc.stop(15_000);
await target.proc.stop(5000);
await store?.proc.stop(5000);
removeTemps();
