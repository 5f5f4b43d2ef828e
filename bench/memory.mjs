// Where the memory goes: the app with N services (embedded DynamoDB as `npm start` runs it, or an external
// dynalite as in production), run for `settleMs` after healthy with RSS sampled every 5 s, then a breakdown:
// process.memoryUsage() before and after a full GC, V8 heap spaces (used and committed), malloc'd memory and the
// CommonJS packages loaded. The same for a one-service app, the baseline of the same run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, RUNTIME, servicesYaml, startApp, startDynalite, startTarget, tempDir } from './app.mjs';
import { cpuSeconds, memoryMb, sleep } from './lib.mjs';

async function sample(app, file) {
  process.kill(app.pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 600 && !existsSync(file); attempt += 1) await sleep(100);
  await sleep(200);
  return { rss: memoryMb(app.pid), ...JSON.parse(readFileSync(file, 'utf8')) };
}

export async function memoryRun({
  n,
  external = false,
  settleMs = 300_000,
  intervalMs = 20_000,
  nodeArgs = RUNTIME.flags,
  nodeEnv = RUNTIME.env,
  heapSnapshot = null,
  log,
}) {
  const dir = tempDir(`memory-${n}`);
  const target = await startTarget();
  const dynamo = external ? await startDynalite(join(dir, 'dynamodb')) : null;
  const file = join(dir, 'memory.json');
  log(
    `  memory: ${n} services at ${intervalMs / 1000} s, ${external ? 'external dynalite' : 'embedded DynamoDB'}, ${[...Object.entries(nodeEnv).map((pair) => pair.join('=')), ...nodeArgs].join(' ')}, sampled for ${settleMs / 1000} s`,
  );
  const app = await startApp({
    servicesYaml: servicesYaml(n, target.base, { interval: `${intervalMs / 1000}s`, timeout: '5s' }),
    dataDir: dir,
    ...(dynamo ? { dynamoEndpoint: dynamo.endpoint } : {}),
    nodeEnv,
    env: { BENCH_MEMORY_FILE: file, ...(heapSnapshot ? { BENCH_HEAP_SNAPSHOT: heapSnapshot } : {}) },
    nodeArgs: [...nodeArgs, '--expose-gc', '--import', join(BENCH_DIR, 'memory-probe.mjs')],
    healthyTimeoutMs: 300_000,
  });
  // RSS every 5 s: the goal reads the value after the whole settle time; max shows the boot transient.
  const series = [];
  const started = Date.now();
  const cpuAtStart = cpuSeconds(app.pid);
  while (Date.now() - started < settleMs) {
    await sleep(Math.min(5000, settleMs - (Date.now() - started)));
    series.push(Math.round(memoryMb(app.pid)?.rss ?? NaN));
  }
  const rssBeforeSample = memoryMb(app.pid);
  const cpuPercent = ((cpuSeconds(app.pid) - cpuAtStart) / ((Date.now() - started) / 1000)) * 100;
  const result = {
    n,
    external,
    nodeArgs,
    nodeEnv,
    cpuPercent,
    bootMs: app.bootMs,
    settleSeconds: settleMs / 1000,
    rssSeriesMb: series,
    rssMaxMb: Math.max(...series),
    rssAtEnd: rssBeforeSample,
    ...(await sample(app, file)),
  };
  await app.proc.stop(15_000);
  await dynamo?.proc.stop(5000);
  await target.proc.stop(5000);
  return result;
}

/** Runs a heap-measuring bench script in a child process (with --expose-gc) and returns its last JSON line. */
function heapScript(script, args, nodeArgs) {
  const out = execFileSync(
    process.execPath,
    [...nodeArgs, '--expose-gc', join(BENCH_DIR, script), ...args.map(String)],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** Heap held by a restored history of `days` days per service (bench/memory-history.mjs). */
export function historyCost({ services = 1000, days = 90, nodeArgs = RUNTIME.flags } = {}) {
  return heapScript('memory-history.mjs', [services, days], nodeArgs);
}

/** Heap held by a full window of recent checks per service, packed vs as objects (bench/memory-recent.mjs). */
export function recentCost({ services = 10_000, window = 30, nodeArgs = RUNTIME.flags } = {}) {
  return heapScript('memory-recent.mjs', [services, window], nodeArgs);
}
