// Boot at scale: N services with `days` of stored state, rollups and checks (bench/boot-seed.mjs, through the
// app's own adapters), then the app started on a copy of that data the way `npm start` runs it (embedded
// dynalite, in-process). Measured from the process start: when /api/status first answers with all N services
// (and whether the stored evaluations show: the seeded degraded services must be degraded), when /api/health is 200, and
// when the target saw the first check of every service (goal: within one interval), and how long a read of
// /api/status (br, to the last byte, every 0.5 s) takes while the recent checks still load and once they are in
// (`statusReads`: the page must stay quick while the boot's background work runs). A second start on another
// copy, with the app on the counting dynalite (bench/dynalite-server.mjs), counts the DynamoDB requests boot made.
// Every build given (e.g. a baseline commit and HEAD) runs in the same round, alternating, on the same seed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, RUNTIME, servicesYaml, startDynalite, startTarget, tempDir } from './app.mjs';
import { foreignLoad, freePort, getJson, launch, memoryMb, quantile, sleep } from './lib.mjs';

const copy = (from, to) => execFileSync('cp', ['-a', from, to]);

export async function seed({ buildDir, n, days, intervalMs, log }) {
  const template = tempDir('boot-seed');
  const dynalite = await startDynalite(join(template, 'dynamodb'));
  const seeder = launch('seed', process.execPath, [
    join(BENCH_DIR, 'boot-seed.mjs'),
    buildDir,
    dynalite.endpoint,
    String(n),
    String(days),
    String(intervalMs),
  ]);
  const exit = await seeder.exited;
  if (exit.code !== 0)
    throw new Error(`seeding failed (${exit.code ?? exit.signal}):\n${seeder.output().slice(-3000)}`);
  const result = JSON.parse(seeder.output().trim().split('\n').pop());
  await dynalite.proc.stop();
  log(`  seeded ${n} services, ${result.items} items in ${(result.ms / 1000).toFixed(1)} s`);
  return { template, ...result };
}

/** Sum of request counts by operation between two counting-dynalite snapshots. */
function requestDelta(before, after) {
  const out = {};
  for (const [op, count] of Object.entries(after.requests)) {
    const delta = count - (before?.requests[op] ?? 0);
    if (delta > 0) out[op] = delta;
  }
  return out;
}

const READ_OPS = ['GetItem', 'BatchGetItem', 'Query', 'Scan'];

/** What a build keeps of the services file between boots (apps/api/src/config/parsed-yaml-cache.ts), in DATA_DIR. */
const PARSED_FILE = 'services-file.parsed.json';

/**
 * Reads /api/status every 500 ms (as a browser would: br), each timed to the last byte of the body. `stop()` ends
 * it and returns { reads, failed, p50Ms, p90Ms, maxMs }; `stopAfter(k)` waits for k reads first.
 */
function statusReader(base) {
  const times = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const response = await fetch(`${base}/api/status`, {
          headers: { 'accept-encoding': 'br' },
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) times.push(performance.now() - started);
        else failed += 1;
      } catch {
        failed += 1;
      }
      await sleep(500);
    }
  })();
  const summary = () => {
    const sorted = [...times].sort((a, b) => a - b);
    const ms = (value) => (value === null ? null : Math.round(value));
    return {
      reads: sorted.length,
      failed,
      p50Ms: ms(quantile(sorted, 0.5)),
      p90Ms: ms(quantile(sorted, 0.9)),
      maxMs: ms(sorted.at(-1) ?? null),
    };
  };
  return {
    async stop() {
      running = false;
      await loop;
      return summary();
    },
    async stopAfter(count) {
      while (times.length + failed < count) await sleep(100);
      return this.stop();
    },
  };
}

/**
 * One start of one build on a fresh copy of the seed; `counted` puts the app on the counting dynalite; `restartOf`
 * starts it again on the data a previous start left when it stopped (counted: on its store, as a dynalite of its own).
 */
export async function bootOnce({ build, seeded, n, intervalMs, target, counted, log, restartOf = null }) {
  const dataDir = restartOf ?? tempDir('boot-run');
  let dynalite = null;
  if (restartOf) {
    // The stopped start's data as it left it (counted: its store's files, on a dynalite of their own again).
    if (counted) dynalite = await startDynalite(join(dataDir, 'counted'));
  } else if (counted) {
    copy(join(seeded.template, 'dynamodb'), join(dataDir, 'counted'));
    dynalite = await startDynalite(join(dataDir, 'counted'));
  } else copy(join(seeded.template, 'dynamodb'), join(dataDir, 'dynamodb'));
  const configPath = join(dataDir, 'services.yaml');
  writeFileSync(configPath, servicesYaml(n, target.base, { interval: `${intervalMs / 1000}s` }));
  // Every boot but a build's first on this file finds the parse an earlier boot kept (the same text: one target
  // for the whole run); the first boot after a change of the file parses it.
  if (!restartOf && build.parsedFile && existsSync(build.parsedFile))
    copyFileSync(build.parsedFile, join(dataDir, PARSED_FILE));
  const parsedKept = existsSync(join(dataDir, PARSED_FILE));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const load = foreignLoad();
  // The machine is shared: the 1-minute load average at the spawn goes with every number of the run.
  const loadAverage = loadavg()[0];
  const startedAt = Date.now();
  const app = launch('app', process.execPath, [...RUNTIME.flags, build.main], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATUS_CONFIG: configPath,
      TARGET_ALLOW_CIDRS: '127.0.0.0/8',
      NODE_NO_WARNINGS: '1',
      ...RUNTIME.env,
      ...(dynalite
        ? {
            AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'x',
            AWS_REGION: 'us-east-1',
          }
        : {}),
    },
  });
  const deadline = startedAt + 180_000 + 2 * intervalMs;
  let statusMs = null;
  let healthMs = null;
  let atStatus = null;
  let firstAnswer = null;
  let peakAtStatusMb = null;
  let afterCleanStop = false;
  while (statusMs === null || healthMs === null) {
    if (app.child.exitCode !== null || app.child.signalCode !== null)
      throw new Error(`app exited (${app.child.exitCode ?? app.child.signalCode}):\n${app.output().slice(-3000)}`);
    if (Date.now() > deadline)
      throw new Error(`app did not serve ${n} services in time:\n${app.output().slice(-3000)}`);
    try {
      if (statusMs === null) {
        const { status, json } = await getJson(`${base}/api/status`, 5000);
        if (status === 200 && json?.services?.length === n) {
          statusMs = Date.now() - startedAt;
          // Whether the boot found the record of a clean stop (logged before listening; the output is a tail).
          afterCleanStop = /clean stop at /.test(app.output());
          // VmHWM: the process's peak RSS so far (the boot transient is what a small host must have room for).
          peakAtStatusMb = memoryMb(app.child.pid)?.hwm ?? null;
          firstAnswer = json;
          if (dynalite) atStatus = await dynalite.stats();
        }
      }
      if (healthMs === null) {
        const { status } = await getJson(`${base}/api/health`, 5000);
        if (status === 200) healthMs = Date.now() - startedAt;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  // The first check of every service, as the target saw it; meanwhile a reader asks for the page every 500 ms as
  // a browser would (br), timing the whole body: while the recent checks still load, and once they are in.
  const first = new Map();
  const reader = statusReader(base);
  while (first.size < n && Date.now() < deadline) {
    const { json } = await getJson(`${target.base}/__stats?since=${startedAt}`, 30_000);
    for (const [index, at] of json.hits) if (index < n && !first.has(index)) first.set(index, at);
    if (first.size < n) await sleep(2000);
  }
  const whileLoading = await reader.stop();
  const settledReads = await statusReader(base).stopAfter(10);
  const firstMs = [...first.values()].map((at) => at - startedAt).sort((a, b) => a - b);
  // Whatever boot still loads in the background has had the first interval to finish.
  const atEnd = dynalite ? await dynalite.stats() : null;
  const peakMb = memoryMb(app.child.pid)?.hwm ?? null;
  const rssEndMb = memoryMb(app.child.pid)?.rss ?? null;
  const other = load.stop();
  // A clean stop writes every rollup (10,000 at 10,000 services): give it the unit's own 30 s and more.
  await app.stop(60_000);
  if (dynalite) await dynalite.proc.stop();
  if (!build.parsedFile && existsSync(join(dataDir, PARSED_FILE))) {
    build.parsedFile = join(tempDir('boot-parsed'), PARSED_FILE);
    copyFileSync(join(dataDir, PARSED_FILE), build.parsedFile);
  }
  const degraded = new Set(seeded.degraded);
  const states = firstAnswer.services.filter((service) => degraded.has(service.id));
  const result = {
    build: build.label,
    commit: build.commit,
    counted,
    restart: restartOf !== null,
    afterCleanStop,
    parsedKept,
    statusMs,
    healthMs,
    firstCheckSeen: first.size,
    firstCheckP50Ms: quantile(firstMs, 0.5),
    firstCheckMaxMs: firstMs.at(-1) ?? null,
    // From the moment the page was served (the runner starts there): the spread over min(interval, 60 s) begins.
    firstCheckAfterStatusMs: firstMs.length > 0 ? (firstMs.at(-1) ?? 0) - statusMs : null,
    firstAnswer: {
      withLastCheck: firstAnswer.services.filter((service) => service.lastCheck !== null).length,
      seededDegradedShown: states.filter((service) => service.state === 'degraded').length,
      seededDegraded: degraded.size,
    },
    // /api/status (br, whole body) during the first interval, and 10 reads after it with everything loaded.
    statusReads: { firstInterval: whileLoading, after: settledReads },
    peakAtStatusMb,
    peakMb,
    rssEndMb,
    otherCpuPercent: other.percent,
    loadAverage,
    ...(atEnd
      ? {
          requestsUntilStatus: requestDelta(null, atStatus),
          requestsFirstInterval: requestDelta(null, atEnd),
          readsFirstInterval: Object.fromEntries(
            Object.entries(requestDelta(null, atEnd)).filter(([op]) => READ_OPS.includes(op)),
          ),
        }
      : {}),
  };
  Object.defineProperty(result, 'dataDir', { value: dataDir, enumerable: false });
  log(
    `  ${build.label}${counted ? ' (counted)' : ''}${restartOf ? ' (restart)' : ''}: status ${(statusMs / 1000).toFixed(1)} s, health ${(healthMs / 1000).toFixed(1)} s, ` +
      `first check of all ${first.size}/${n} by ${((result.firstCheckMaxMs ?? NaN) / 1000).toFixed(1)} s, ` +
      `degraded shown ${result.firstAnswer.seededDegradedShown}/${degraded.size}, last check shown ${result.firstAnswer.withLastCheck}/${n}, ` +
      `peak RSS ${Math.round(peakAtStatusMb ?? NaN)} MB at status, ${Math.round(peakMb ?? NaN)} MB in the first interval (${Math.round(rssEndMb ?? NaN)} at its end), ` +
      `load average ${loadAverage.toFixed(1)}, ${afterCleanStop ? 'after a clean stop' : 'no clean-stop record'}, ` +
      `services file ${parsedKept ? 'parse kept' : 'parsed'}, ` +
      `/api/status (br) in the first interval p50 ${whileLoading.p50Ms} ms, max ${whileLoading.maxMs} ms (${whileLoading.reads} reads), ` +
      `after it p50 ${settledReads.p50Ms} ms, max ${settledReads.maxMs} ms` +
      (atStatus ? `, requests until status ${JSON.stringify(result.requestsUntilStatus)}` : ''),
  );
  return result;
}

/**
 * `builds`: [{ label, main, dir, commit }] — each is started `rounds` times embedded (alternating) and once counted.
 */
export async function bootRun({ n, days = 7, intervalMs = 60_000, builds, rounds = 2, log }) {
  log(`boot N=${n}: seeding ${days} days of state, rollups and checks`);
  const seeded = await seed({ buildDir: builds.at(-1).dir, n, days, intervalMs, log });
  const target = await startTarget();
  const runs = [];
  try {
    for (let round = 0; round < rounds; round += 1)
      for (const build of builds) {
        const run = await bootOnce({ build, seeded, n, intervalMs, target, counted: false, log });
        runs.push(run);
        // The usual boot (a deploy, a reboot): the same data again, right after the clean stop of the start above.
        if (round === 0)
          runs.push(
            await bootOnce({ build, seeded, n, intervalMs, target, counted: false, log, restartOf: run.dataDir }),
          );
      }
    for (const build of builds) runs.push(await bootOnce({ build, seeded, n, intervalMs, target, counted: true, log }));
  } finally {
    await target.proc.stop();
  }
  return { n, days, intervalMs, seedItems: seeded.items, runs };
}
