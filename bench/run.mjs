// npm run bench — every benchmark of the status page in one bounded run (about 45 minutes on 2 cores, 25 of them
// the memory step's four 5-minute shapes, which run last).
//
//   node bench/run.mjs                       everything
//   node bench/run.mjs --only status,1000    a subset: size, status, statusbr, snapshot, punctual, memory, 1000, 2000, 10000, wcu, replicas, expiry, bootscan, boot
//   node bench/run.mjs --only boot --baseline 3f734e3   boot at 1,000 and 10,000 services, against another commit
//   node bench/run.mjs --only boot --boot-sizes 1000 --boot-days 91   boot with the rollups a settled install holds
//   node bench/run.mjs --only snapshot --baseline main  the status document's rebuild time, in process, vs a commit
//   node bench/run.mjs --quick               short windows (smoke test of the harness, numbers not comparable)
//   node bench/run.mjs --only memory --memory-seconds 300 --budget-seconds 1800   memory after 5 min per shape
//   BENCH_NODE_FLAGS='--max-semi-space-size=2' BENCH_NODE_ENV= node bench/run.mjs …   another runtime (baseline)
//   node bench/run.mjs --source head|worktree  what to measure; default auto = committed HEAD if it builds and
//                                            its imports resolve in node_modules, else the files on disk
//
// `boot` (not in the default list) seeds N services and times boot; see docs/bench.md.
// Prints one table per benchmark and a summary of the goals (PASS/MISS), writes bench/results/latest.json.
// Every child process (app, dynalite, target, nginx, wrk) is in its own process group and is killed on exit,
// on failure, on Ctrl-C and when the time budget runs out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, removeTemps } from './app.mjs';
import { bootRun } from './boot.mjs';
import { build, buildAuto } from './build.mjs';
import { cleanup, fmt, hasCommand, table } from './lib.mjs';
import { bootScanRun } from './boot-scan-run.mjs';
import { expiryRun } from './expiry-run.mjs';
import { historyCost, memoryRun, recentCost } from './memory.mjs';
import { replicasRun } from './replicas.mjs';
import { schedulerRun, writeUnitsRun } from './scheduler.mjs';
import { statusBench } from './status.mjs';
import { snapshotRun } from './snapshot.mjs';
import { statusSizeRun } from './status-size.mjs';

const { values } = parseArgs({
  options: {
    // boot is not in the default run (seeding 10,000 services alone takes ~4 minutes): --only boot.
    only: {
      type: 'string',
      default: 'size,status,statusbr,snapshot,punctual,memory,1000,2000,10000,wcu,replicas,expiry,bootscan',
    },
    baseline: { type: 'string' },
    'boot-sizes': { type: 'string', default: '1000,10000' },
    // Days of rollups seeded per service (default 7, 2 with --quick); 91 is what a settled install holds.
    'boot-days': { type: 'string' },
    'boot-counted': { type: 'boolean', default: true },
    quick: { type: 'boolean', default: false },
    source: { type: 'string', default: 'auto' },
    'budget-seconds': { type: 'string', default: '3600' },
    // How long each memory shape runs before it is sampled (the issue: 5 minutes).
    'memory-seconds': { type: 'string', default: '300' },
  },
});
const only = new Set(values.only.split(',').map((entry) => entry.trim()));
const quick = values.quick;
const started = Date.now();
const log = (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

const results = {
  startedAt: new Date(started).toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  quick,
  errors: [],
  // Filled by the scheduler steps; there from the start so a report of a run stopped early can read it.
  scheduler: [],
};
const RESULTS_DIR = join(BENCH_DIR, 'results');

function save() {
  mkdirSync(RESULTS_DIR, { recursive: true });
  results.finishedAt = new Date().toISOString();
  results.durationSeconds = (Date.now() - started) / 1000;
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

// Hard time budget: whatever is running is stopped, the steps finished so far are reported and saved, exit 2.
const budget = setTimeout(
  () => {
    log(`time budget of ${values['budget-seconds']} s exceeded: stopping`);
    results.errors.push('time budget exceeded');
    try {
      report();
    } catch (error) {
      log(`reporting the finished steps failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    save();
    void cleanup().finally(() => process.exit(2));
  },
  Number(values['budget-seconds']) * 1000,
);
budget.unref();

async function step(name, fn) {
  try {
    return await fn();
  } catch (error) {
    log(`${name} FAILED: ${error instanceof Error ? error.message.slice(0, 2000) : String(error)}`);
    results.errors.push(`${name}: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`);
    await cleanup();
    return null;
  }
}

/** Coordination write units per check predicted by the README formula (lease 15 s). */
const coordFormula = (r) =>
  ((6 * r.replicas) / 15 + (r.replicas >= 2 ? Math.min(r.replicas, r.expectedChecksPerSecond) : 0)) /
  r.expectedChecksPerSecond;
/** Read units per replica per second predicted by the README formula (no alert channel configured). */
const readFormula = (r) => 12 / 15 + (r.replicas >= 2 ? 1 : 0);

const verdict = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');

async function main() {
  for (const tool of ['wrk', 'nginx', 'taskset'])
    if (!hasCommand(tool) && !(tool === 'nginx' && hasCommand('/usr/sbin/nginx')))
      log(`warning: ${tool} not found (apt-get install -y wrk nginx-light util-linux)`);
  log(`building the API from ${values.source} into bench/results/build`);
  results.build = buildAuto(values.source);
  for (const note of results.build.tried ?? []) log(`  skipped ${note}`);
  log(`built ${results.build.source} ${results.build.commit} in ${(results.build.ms / 1000).toFixed(1)} s`);

  if (only.has('size')) {
    results.size = await step('status size', () => statusSizeRun({ services: 1000, log }));
  }
  if (only.has('status')) {
    results.status = await step('status', () =>
      statusBench({ seconds: quick ? 3 : 10, warmupSeconds: quick ? 1 : 2, rounds: 2, log }),
    );
  }
  if (only.has('statusbr')) {
    results.statusBr = await step('status br', () =>
      statusBench({
        services: 1000,
        encoding: 'br',
        interval: '20s',
        seconds: quick ? 3 : 10,
        warmupSeconds: quick ? 1 : 2,
        rounds: 2,
        log,
      }),
    );
  }
  if (only.has('snapshot')) {
    results.snapshot = await step('snapshot rebuild', () =>
      snapshotRun({ refs: values.baseline ? [values.baseline, 'HEAD'] : ['HEAD'], rounds: quick ? 1 : 2, log }),
    );
  }
  if (only.has('punctual')) {
    // Issue 17's shape: 1,000 services at 20 s, lateness at the targets, then the same with a browser-like wrk
    // burst (Accept-Encoding: br) on /api/status; the baseline is the steady window of the same run.
    results.punctual = await step('punctual N=1000 @ 20 s', () =>
      schedulerRun({
        n: 1000,
        intervalMs: 20_000,
        windowMs: quick ? 15_000 : 60_000,
        settleMaxMs: quick ? 20_000 : 60_000,
        burstMs: quick ? 5_000 : 20_000,
        burstHeaders: { 'accept-encoding': 'gzip, deflate, br' },
        log,
      }),
    );
  }
  for (const n of [1000, 2000, 10000]) {
    if (!only.has(String(n))) continue;
    const run = await step(`scheduler N=${n}`, () =>
      schedulerRun({
        n,
        windowMs: quick ? 15_000 : 75_000,
        settleMaxMs: quick ? 20_000 : 90_000,
        // Issue 17 reads the 10,000-service lateness with the status endpoint under a browser-like burst too.
        burstMs: n === 2000 || n === 10000 ? (quick ? 5_000 : 20_000) : 0,
        ...(n === 10000 ? { burstHeaders: { 'accept-encoding': 'gzip, deflate, br' } } : {}),
        log,
      }),
    );
    if (run) results.scheduler.push(run);
  }
  if (only.has('wcu')) {
    results.writeUnits = await step('write units', () =>
      writeUnitsRun({ n: 100, warmMs: quick ? 5_000 : 8_000, windowMs: quick ? 8_000 : 20_000, log }),
    );
  }
  if (only.has('expiry')) {
    // 1,000 services, an hour of checks at 20 s expired each (180) and 30 kept; then hour-by-hour rounds.
    results.expiry = await step('embedded expiry', () =>
      expiryRun({ services: 1000, expired: 180, kept: 30, rounds: quick ? 5 : 8 }),
    );
  }
  if (only.has('bootscan')) {
    // 200 services with 101 and 401 days of rollups kept (ROLLUP_RETENTION_DAYS 100 and the former fixed 400).
    results.bootScan = await step('boot scan by retention', () =>
      bootScanRun({ services: 200, keptDays: [101, 401], rounds: quick ? 1 : 2 }),
    );
  }
  if (only.has('boot')) {
    const builds = [];
    if (values.baseline) {
      log(`building the baseline ${values.baseline} into bench/results/baseline`);
      const baseline = build('head', { ref: values.baseline, name: 'baseline' });
      builds.push({ label: `baseline ${baseline.commit}`, ...baseline });
    }
    builds.push({ label: `this ${results.build.commit}`, ...results.build });
    results.boot = [];
    for (const n of values['boot-sizes'].split(',').map(Number)) {
      const run = await step(`boot N=${n}`, () =>
        bootRun({
          n,
          days: values['boot-days'] === undefined ? (quick ? 2 : 7) : Number(values['boot-days']),
          rounds: quick ? 1 : 2,
          counted: values['boot-counted'],
          builds,
          log,
        }),
      );
      if (run) results.boot.push(run);
    }
  }
  if (only.has('replicas')) {
    results.replicas = [];
    for (const replicas of [1, 3]) {
      const run = await step(`replicas x${replicas}`, () =>
        replicasRun({ n: quick ? 200 : 2000, replicas, windowMs: quick ? 15_000 : 120_000, log }),
      );
      if (run) results.replicas.push(run);
    }
  }
  // Last: four shapes of 5 minutes each are most of the run; a budget that runs out stops here, not before the rest.
  if (only.has('memory')) {
    // Issue 17 reads RSS "after 5 minutes" at 1,000 services (embedded as npm start runs it, and external as in
    // production) and at 10,000; the one-service app is the baseline of the run.
    results.memory = [];
    const settleMs = (quick ? 10 : Number(values['memory-seconds'])) * 1000;
    for (const shape of [
      { n: 1, external: false },
      { n: 1000, external: false },
      { n: 1000, external: true },
      { n: 10_000, external: true, intervalMs: 60_000 },
    ]) {
      const run = await step(`memory N=${shape.n}`, () => memoryRun({ ...shape, settleMs, log }));
      if (run) results.memory.push(run);
    }
    // The runs above start with an empty history; a host that has run for 90 days restores 90 rollups a service.
    results.memoryHistory = await step('memory history', () =>
      [1, 90].map((days) => historyCost({ services: 1000, days })),
    );
    // At 60 s a 5-minute run holds 5 recent checks per service; after 30 minutes every service holds 30.
    results.memoryRecent = await step('memory recent checks', () => recentCost({ services: 10_000, window: 30 }));
  }
  report();
}

function report() {
  const out = [];
  if (results.snapshot) {
    out.push('\nStatus document rebuild, in process (forced, after the checks of one interval-second landed)');
    out.push(
      table(
        [
          'commit',
          'services',
          'days stored',
          'changed per rebuild',
          'rebuild ms (median / max of 20)',
          'first build ms',
          'body KB',
        ],
        results.snapshot.map((r) => [
          r.commit,
          r.services,
          r.days,
          r.changedPerBuild,
          `${fmt(r.changed.medianMs, 1)} / ${fmt(r.changed.maxMs, 1)}`,
          fmt(r.first.medianMs, 0),
          fmt(r.bodyBytes / 1024, 0),
        ]),
      ),
    );
  }
  const z = results.size;
  if (z) {
    out.push(
      `\n/api/status size, ${z.services} realistic services (names, groups, 10 % ungrouped, 10 % own SLO, 2 % paused, 3 % failing)${z.sameSnapshot ? '' : ' (CODINGS FROM DIFFERENT SNAPSHOTS)'}`,
    );
    out.push(
      table(
        ['coding', 'bytes', 'B per service', 'vs identity'],
        [
          ['identity', z.identityBytes, fmt(z.perService, 1), '1.00'],
          [z.gzipEncoding, z.gzipBytes, fmt(z.gzipBytes / z.services, 1), fmt(z.gzipBytes / z.identityBytes, 3)],
          [z.brEncoding, z.brBytes, fmt(z.brBytes / z.services, 1), fmt(z.brBytes / z.identityBytes, 3)],
        ],
      ),
    );
    out.push(
      `  services array ${fmt(z.servicesArrayPerService, 1)} B per service + ${z.envelopeBytes} B envelope; /api/services/:id ${z.detailBytes} B`,
    );
    out.push(`  an up service:     ${JSON.stringify(z.sample.up)}`);
    out.push(`  a failing service: ${JSON.stringify(z.sample.failing)}`);
  }
  const s = results.status;
  if (s) {
    out.push(
      `\n/api/status, ${s.services} services, ${s.responseBytes} bytes (${fmt(s.responseBytes / s.services, 0)} B per service, ${s.contentType}); wrk -t2 -c${s.connections} -d${s.seconds}s --latency, best of ${s.rounds.app.length} alternating rounds` +
        (s.pinned ? `; servers on ${s.pinned.servers}, wrk on ${s.pinned.wrk}` : ''),
    );
    out.push(
      table(
        ['server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'transfer/s', 'errors', 'other CPU %'],
        [
          [
            'nginx (static file)',
            fmt(s.nginx.rps, 0),
            fmt(s.nginx.p50Ms, 2),
            fmt(s.nginx.p90Ms, 2),
            fmt(s.nginx.p99Ms, 2),
            s.nginx.transferPerSec,
            s.nginx.non2xx + s.nginx.socketErrors,
            fmt(s.nginx.other?.percent, 0),
          ],
          [
            'app (/api/status)',
            fmt(s.app.rps, 0),
            fmt(s.app.p50Ms, 2),
            fmt(s.app.p90Ms, 2),
            fmt(s.app.p99Ms, 2),
            s.app.transferPerSec,
            s.app.non2xx + s.app.socketErrors,
            fmt(s.app.other?.percent, 0),
          ],
          ['app / nginx', fmt(s.ratio, 2), '', '', '', '', '', ''],
        ],
      ),
    );
    out.push(
      `  rounds (req/s, p99 ms, other CPU %): nginx ${s.rounds.nginx.map((r) => `${fmt(r.rps, 0)}/${fmt(r.p99Ms, 2)}/${fmt(r.otherCpuPercent, 0)}`).join(', ')}; app ${s.rounds.app.map((r) => `${fmt(r.rps, 0)}/${fmt(r.p99Ms, 2)}/${fmt(r.otherCpuPercent, 0)}`).join(', ')}`,
    );
    out.push(
      `  app RSS after the run: ${fmt(s.appRssMb, 0)} MB (peak ${fmt(s.appPeakRssMb, 0)} MB, embedded dynalite in-process). other CPU %: processes not started by the bench.`,
    );
  }
  const sb = results.statusBr;
  if (sb) {
    out.push(
      `\n/api/status with Accept-Encoding: br, ${sb.services} services at ${sb.intervalSeconds ?? 20} s (checks land all the time, so the snapshot keeps changing): ${sb.responseBytes} B br of ${sb.identityBytes} B identity (${fmt(sb.identityBytes / sb.services, 0)} B per service); nginx serves the same br bytes as a static file`,
    );
    out.push(
      table(
        ['server', 'req/s', 'p99 ms', 'rounds req/s', 'CPU µs/req per round', 'other CPU % per round'],
        [
          [
            'nginx (static br file)',
            fmt(sb.nginx.rps, 0),
            fmt(sb.nginx.p99Ms, 2),
            sb.rounds.nginx.map((r) => fmt(r.rps, 0)).join(', '),
            sb.rounds.nginx.map((r) => fmt(r.cpuUsPerRequest, 1)).join(', '),
            sb.rounds.nginx.map((r) => fmt(r.otherCpuPercent, 0)).join(', '),
          ],
          [
            'app (/api/status, br)',
            fmt(sb.app.rps, 0),
            fmt(sb.app.p99Ms, 2),
            sb.rounds.app.map((r) => fmt(r.rps, 0)).join(', '),
            sb.rounds.app.map((r) => fmt(r.cpuUsPerRequest, 1)).join(', '),
            sb.rounds.app.map((r) => fmt(r.otherCpuPercent, 0)).join(', '),
          ],
          ['app / nginx', fmt(sb.ratio, 2), '', '', `≥ ${fmt(sb.cpuRatio, 2)} at equal CPU`, ''],
        ],
      ),
    );
    out.push(
      `  CPU µs/req: the server's CPU time (all threads) over the requests it answered; the app's includes its monitoring (with no requests it uses ${fmt(sb.appBackgroundCpu * 100, 0)} % of a core: checks, embedded DynamoDB, snapshot builds), so "at equal CPU" (nginx µs / app µs) is a lower bound of the req/s ratio on two equal idle cores.`,
    );
  }
  const p = results.punctual;
  if (p) {
    out.push(
      `\nPunctuality: ${p.n} services at ${p.intervalSeconds} s, lateness = arrival at the target − due time (${p.slipModelOk ? 'model ok' : 'MODEL MISMATCH'})`,
    );
    out.push(
      table(
        ['', 'p50 ms', 'p99 ms', 'max ms', 'checks', 'checks/s (exp.)', 'app CPU %', 'other CPU %', 'max RSS MB'],
        [
          [
            'steady window',
            fmt(p.slip.target.p50Ms, 1),
            fmt(p.slip.target.p99Ms, 1),
            fmt(p.slip.target.maxMs, 1),
            p.slip.target.samples,
            `${fmt(p.checksPerSecond, 1)} (${fmt(p.expectedChecksPerSecond, 1)})`,
            fmt(p.cpuPercent, 0),
            fmt(p.otherCpuPercent, 0),
            fmt(p.maxRssMb, 0),
          ],
          ...(p.burst
            ? [
                [
                  'during the br burst',
                  fmt(p.burst.slipDuring.p50Ms, 1),
                  fmt(p.burst.slipDuring.p99Ms, 1),
                  fmt(p.burst.slipDuring.maxMs, 1),
                  p.burst.slipDuring.samples,
                  '',
                  fmt(p.burst.cpuPercent, 0),
                  fmt(p.burst.otherCpuPercent, 0),
                  '',
                ],
              ]
            : []),
        ],
      ),
    );
    if (p.burst)
      out.push(
        `  burst: ${fmt(p.burst.wrk.rps, 0)} req/s, p99 ${fmt(p.burst.wrk.p99Ms, 1)} ms; lateness p99 during − before: ${fmt(p.burst.slipDuring.p99Ms - p.slip.target.p99Ms, 1)} ms`,
      );
  }
  if (results.memory?.length > 0) {
    const base = results.memory.find((m) => m.n === 1);
    const m0 = results.memory[0];
    out.push(
      `\nMemory, MB, after ${m0.settleSeconds} s (node ${[...Object.entries(m0.nodeEnv).map((pair) => pair.join('=')), ...m0.nodeArgs].join(' ')}); heap columns after a full GC; the 1-service app is the baseline of this run`,
    );
    out.push(
      table(
        [
          'N',
          'storage',
          'RSS end',
          'RSS / 1-service',
          'RSS max (5 s)',
          'anon / file',
          'heap used',
          'heap total',
          'old committed',
          'code',
          'new',
          'external',
          'arrayBuffers',
          'CPU %',
          'boot s',
        ],
        results.memory.map((m) => [
          m.n,
          m.external ? 'external' : 'embedded',
          fmt(m.rssAtEnd?.rss, 0),
          base ? fmt(m.rssAtEnd?.rss / base.rssAtEnd?.rss, 2) : 'n/a',
          fmt(m.rssMaxMb, 0),
          `${fmt(m.rssAtEnd?.anon, 0)} / ${fmt(m.rssAtEnd?.file, 0)}`,
          fmt(m.afterGc.heapUsed, 1),
          fmt(m.beforeGc.heapTotal, 1),
          fmt(m.heapSpacesCommittedMb.old_space, 1),
          fmt(m.heapSpacesCommittedMb.code_space, 1),
          fmt(m.heapSpacesCommittedMb.new_space, 1),
          fmt(m.afterGc.external, 1),
          fmt(m.afterGc.arrayBuffers, 1),
          fmt(m.cpuPercent, 1),
          fmt(m.bootMs / 1000, 1),
        ]),
      ),
    );
    out.push(
      '  RSS end: VmRSS just before the sample (the goal). heap total: committed JS heap before the GC (what RSS pays for);',
    );
    out.push(
      '  anon / file: RssAnon (heap, malloc) / RssFile (the node binary and libraries, shared between processes).',
    );
    for (const h of results.memoryHistory ?? [])
      out.push(
        `  restored history, ${h.days} day(s) of rollups for ${h.services} services: ${fmt(h.heapMb, 1)} MB of live heap (${fmt(h.perServiceKb, 1)} KB per service)`,
      );
    const recent = results.memoryRecent;
    if (recent)
      out.push(
        `  a full window of ${recent.window} recent checks for ${recent.services} services: ${fmt(recent.packed.heapMb, 1)} MB of live heap packed (${fmt(recent.packed.perServiceKb, 2)} KB per service), ${fmt(recent.objects.heapMb, 1)} MB as objects (${fmt(recent.objects.perServiceKb, 2)} KB)`,
      );
    for (const m of results.memory)
      out.push(
        `  N=${m.n} ${m.external ? 'external' : 'embedded'} RSS every 5 s: ${m.rssSeriesMb.join(' ')}; packages loaded: ${Object.keys(m.packages ?? {}).length} (dynalite ${m.packages?.dynalite ? 'loaded' : 'not loaded'})`,
      );
  }
  if (results.scheduler.length > 0) {
    out.push(
      '\nScheduler capacity: 60 s interval, real time (no compression), steady window after the boot backlog drained',
    );
    out.push(
      table(
        [
          'N',
          'boot s',
          'window s',
          'checks/s (exp.)',
          'slip p50 ms',
          'slip p99 ms',
          'app p50/p99 ms',
          'CPU % 1 core',
          'max RSS MB',
          'peak RSS MB',
          'dynalite CPU %',
          'other CPU %',
          'WCU/check',
        ],
        results.scheduler.map((r) => [
          r.n,
          fmt(r.bootMs / 1000 + r.settleMs / 1000, 0),
          fmt(r.windowSeconds, 0),
          `${fmt(r.checksPerSecond, 1)} (${fmt(r.expectedChecksPerSecond, 1)})`,
          fmt(r.slip.target.p50Ms, 0),
          fmt(r.slip.target.p99Ms, 0),
          r.slip.app ? `${fmt(r.slip.app.p50Ms, 0)}/${fmt(r.slip.app.p99Ms, 0)}` : 'n/a',
          fmt(r.cpuPercent, 0),
          fmt(r.maxRssMb, 0),
          fmt(r.peakRssMb, 0),
          fmt(r.dynaliteCpuPercent, 0),
          fmt(r.otherCpuPercent, 0),
          fmt(r.writeUnitsPerCheck, 2),
        ]),
      ),
    );
    out.push(
      '  slip p50/p99: measured at the target over checks due in the window; app p50/p99: /api/health (ring of the last 10,000 dispatches).',
    );
    out.push(
      '  boot s: start to healthy + boot backlog drained. peak RSS: VmHWM (includes boot). other CPU %: processes not started by the bench (shared box noise).',
    );
    out.push(
      '  WCU/check here is a 75 s window right after boot: state writes of the first checks, no rollup writes yet (see the compressed run).',
    );
    for (const { n: burstN, burst } of results.scheduler.filter((r) => r.burst)) {
      out.push(`\nBurst: N=${burstN} scheduler running, wrk -t2 -c64 -d${fmt(burst.seconds, 0)}s on /api/status`);
      out.push(
        table(
          ['', 'slip p50 ms', 'slip p99 ms', 'slip max ms', 'checks'],
          [
            [
              'before (steady window)',
              fmt(burst.slipBefore.p50Ms, 0),
              fmt(burst.slipBefore.p99Ms, 0),
              fmt(burst.slipBefore.maxMs, 0),
              burst.slipBefore.samples,
            ],
            [
              'during burst',
              fmt(burst.slipDuring.p50Ms, 0),
              fmt(burst.slipDuring.p99Ms, 0),
              fmt(burst.slipDuring.maxMs, 0),
              burst.slipDuring.samples,
            ],
          ],
        ),
      );
      out.push(
        `  burst traffic: ${fmt(burst.wrk.rps, 0)} req/s, p99 ${fmt(burst.wrk.p99Ms, 1)} ms, ${burst.wrk.transferPerSec}/s; app CPU ${fmt(burst.cpuPercent, 0)} % of one core, other processes ${fmt(burst.otherCpuPercent, 0)} %`,
      );
    }
  }
  const w = results.writeUnits;
  if (w) {
    out.push(
      `\nWrite units, time-compressed: ${w.n} services at a 1 s interval (60x), ${fmt(w.windowSeconds, 0)} s window after warm-up`,
    );
    out.push(
      table(
        ['table', 'WCU', 'items', 'avg item bytes', 'WCU/check', 'ops'],
        Object.entries(w.byTable).map(([name, entry]) => [
          name,
          entry.writeUnits,
          entry.items,
          fmt(entry.avgItemBytes, 0),
          fmt(entry.perCheck, 3),
          Object.entries(entry.byOp)
            .map(([op, count]) => `${op} ${count}`)
            .join(', '),
        ]),
      ),
    );
    out.push(
      `  ${w.checks} checks (${fmt(w.checksPerSecond, 1)}/s): ${fmt(w.writeUnitsPerCheck, 3)} WCU/check (JSON-size estimate ${fmt(w.jsonWriteUnitsPerCheck, 3)})`,
    );
  }

  if (results.replicas?.length > 0) {
    out.push(
      `\nReplicas: ${results.replicas[0].n} services at 60 s on one dynalite, 1 vs 3 replicas (lease 15 s), ${fmt(results.replicas[0].windowSeconds, 0)} s window after the cluster settled`,
    );
    out.push(
      table(
        [
          'replicas',
          'checks/s (exp.)',
          'late p50/p99 ms',
          'WCU/check checks+coord (formula)',
          'coord WCU/s',
          'state WCU/check (boot)',
          'RCU/s per replica (formula)',
          'converged p50/p99/max ms',
          'store p99 ms Put/Batch/Query',
          'CPU % each',
        ],
        results.replicas.map((r) => [
          r.replicas,
          `${fmt(r.checksPerSecond, 1)} (${fmt(r.expectedChecksPerSecond, 1)})`,
          `${fmt(r.lateness.p50Ms, 0)}/${fmt(r.lateness.p99Ms, 0)}`,
          `${fmt(r.writeUnitsPerCheckByTable.checks + r.writeUnitsPerCheckByTable.coord, 3)} (${fmt(1 + coordFormula(r), 3)})`,
          fmt(r.coordWriteUnitsPerSecond, 2),
          fmt(r.writeUnitsPerCheckByTable.state, 3),
          `${fmt(r.readUnitsPerSecondPerReplica, 2)} (${fmt(readFormula(r), 2)})`,
          `${fmt(r.convergence.p50Ms, 0)}/${fmt(r.convergence.p99Ms, 0)}/${fmt(r.convergence.maxMs, 0)}`,
          ['PutItem', 'BatchWriteItem', 'Query'].map((op) => fmt(r.storeLatency?.[op]?.p99Ms ?? null, 0)).join('/'),
          r.cpuPercentPerReplica.map((c) => fmt(c, 0)).join(', '),
        ]),
      ),
    );
    out.push(
      '  formulas (C checks/s, N replicas, L = 15 s): coord WCU/check = (6N/L + [N>=2]·min(N, C)) / C (heartbeats + one feed item per replica per second);',
    );
    out.push(
      '  RCU/s per replica = 12/L (rounds) + [N>=2]·1 (feed Query, < 4 KB) (+ 1/N for the outbox when a channel is configured: none here).',
    );
    out.push(
      '  state WCU/check is the boot transient (streak counters climb for the first checks of every service); steady state: transitions only. Rollups: 0.1/check once services have 10 checks a day.',
    );
    out.push(
      "  converged: from a check's start until every replica's status snapshot shows it (GET /api/admin/services, sampled every 0.5 s; includes the feed's 1 s publish and 1 s poll and the snapshot's self-throttled rebuild).",
    );
    out.push(
      "  store p99: each request's time inside the bench's dynalite process (queueing there included), in the window.",
    );
  }

  const e = results.expiry;
  if (e) {
    out.push(
      `\nEmbedded expiry (what TTL does in AWS): ${e.services} services, ${e.expiredPerService} expired + ${e.keptPerService} kept checks each, store on ${e.onThread ? 'its thread' : 'the main thread'}`,
    );
    out.push(
      `  writing the expired checks ${fmt(e.writeExpiredSeconds, 1)} s (8 batches in flight); sweeping them ${fmt(e.sweepSeconds, 1)} s (${e.deleted} deleted, one request at a time, main thread ${fmt(e.sweepMainThreadUtilisation * 100, 0)} % busy) = ${fmt(e.sweepSeconds / e.writeExpiredSeconds, 2)}× the write time`,
    );
    out.push(
      `  a sweep with nothing expired: ${fmt(e.quietSweepSeconds, 2)} s (main thread ${fmt(e.quietSweepMainThreadUtilisation * 100, 0)} % busy); bytes on disk ${fmt(e.bytesWritten / 1e6, 1)} MB after the writes, ${fmt(e.bytesAfterSweep / 1e6, 1)} MB after the sweep`,
    );
    if (e.hourly)
      out.push(
        `  hour by hour (two hours kept, steady from the third round): MB on disk after each round ${e.hourly.map((round) => fmt(round.bytes / 1e6, 1)).join(', ')}; sweep s ${e.hourly.map((round) => fmt(round.seconds, 1)).join(', ')}`,
      );
  }

  const scan = results.bootScan;
  if (scan) {
    out.push(
      `\nBoot read of the state table by rollups kept, ${scan.services} services (embedded store on its thread; the 90 days shown come back either way)`,
    );
    for (const run of scan.runs)
      out.push(
        `  ${run.days} days kept (${run.items} items, ${run.rollupItemBytes} B a rollup): Scan s ${run.scanSeconds.map((seconds) => fmt(seconds, 2)).join(', ')}` +
          (run.byKeySeconds
            ? `; by key (copies of the finished days) s ${run.byKeySeconds.map((seconds) => fmt(seconds, 2)).join(', ')}`
            : ''),
      );
  }

  for (const b of results.boot ?? []) {
    out.push(
      `\nBoot, ${b.n} services @ ${b.intervalMs / 1000} s, ${b.days} days stored (${b.seedItems} items); seconds from process start` +
        ' (embedded = npm start shape; counted = on the counting dynalite, requests by operation until status / after the first interval)',
    );
    out.push(
      table(
        [
          'build',
          'storage',
          'status s',
          'health s',
          'first check p50 s',
          'first check all s',
          'after status s',
          'degraded shown',
          'last check shown',
          'peak RSS MB status / interval / end',
          'status read ms p50 / max: first interval → after',
          'requests until status',
          'requests first interval',
          'other CPU %',
          'load avg',
        ],
        b.runs.map((r) =>
          r.failed
            ? [r.build, r.counted ? 'counted' : 'embedded', `FAILED: ${r.failed.slice(0, 60)}`, ...Array(12).fill('')]
            : [
                r.build,
                `${r.counted ? 'counted' : 'embedded'}${r.restart ? `, restart${r.afterCleanStop ? ' after a clean stop' : ' (no clean-stop record!)'}` : ''}${r.parsedKept ? ', parse kept' : ''}`,
                fmt(r.statusMs / 1000, 1),
                fmt(r.healthMs / 1000, 1),
                fmt(r.firstCheckP50Ms / 1000, 1),
                `${fmt(r.firstCheckMaxMs / 1000, 1)}${r.firstCheckSeen < b.n ? ` (${r.firstCheckSeen}/${b.n})` : ''}`,
                fmt(r.firstCheckAfterStatusMs / 1000, 1),
                `${r.firstAnswer.seededDegradedShown}/${r.firstAnswer.seededDegraded}`,
                `${r.firstAnswer.withLastCheck}/${b.n}`,
                `${fmt(r.peakAtStatusMb, 0)} / ${fmt(r.peakMb, 0)} / ${fmt(r.rssEndMb, 0)}`,
                r.statusReads
                  ? `${r.statusReads.firstInterval.p50Ms} / ${r.statusReads.firstInterval.maxMs} → ` +
                    `${r.statusReads.after.p50Ms} / ${r.statusReads.after.maxMs}`
                  : '',
                r.requestsUntilStatus
                  ? Object.entries(r.requestsUntilStatus)
                      .map(([op, c]) => `${op} ${c}`)
                      .join(', ')
                  : '',
                r.readsFirstInterval
                  ? Object.entries(r.readsFirstInterval)
                      .map(([op, c]) => `${op} ${c}`)
                      .join(', ')
                  : '',
                fmt(r.otherCpuPercent, 0),
                r.loadAverage === undefined ? '' : fmt(r.loadAverage, 1),
              ],
        ),
      ),
    );
  }

  // Goals.
  const byN = (n) => results.scheduler.find((r) => r.n === n);
  const goals = [];
  if (z)
    goals.push([
      '/api/status identity <= 200 B per service (1,000 realistic services)',
      `${fmt(z.perService, 1)} B`,
      verdict(z.perService <= 200),
    ]);
  const boot10k = results.boot?.find((b) => b.n === 10_000);
  if (boot10k) {
    const current = boot10k.runs.filter((r) => !r.counted && !r.failed && r.build.startsWith('this'));
    goals.push([
      'boot at 10,000: /api/status with every service <= 5 s',
      current.map((r) => `${fmt(r.statusMs / 1000, 1)} s`).join(' / '),
      verdict(current.length > 0 && current.every((r) => r.statusMs <= 5000)),
    ]);
    // A restart after a clean stop (a deploy) checks while recent checks load; the seeded store is read as after a
    // crash (no clean-stop record: every service waits for its recent checks). Both are shown, each judged.
    for (const [label, runs] of [
      ['after a clean stop', current.filter((r) => r.restart && r.afterCleanStop)],
      ['seeded store, as after a crash', current.filter((r) => !r.restart)],
    ])
      if (runs.length > 0)
        goals.push([
          `boot at 10,000: first check of every service <= 1 interval after start (${label})`,
          runs.map((r) => `${fmt(r.firstCheckMaxMs / 1000, 1)} s`).join(' / '),
          verdict(runs.every((r) => r.firstCheckSeen === boot10k.n && r.firstCheckMaxMs <= boot10k.intervalMs)),
        ]);
  }
  if (s) {
    goals.push([
      '/api/status req/s >= 0.5x nginx',
      `${fmt(s.ratio, 2)}x (${fmt(s.app.rps, 0)} vs ${fmt(s.nginx.rps, 0)})`,
      verdict(s.ratio >= 0.5),
    ]);
    goals.push(['/api/status p99 <= 10 ms at 64 connections', `${fmt(s.app.p99Ms, 2)} ms`, verdict(s.app.p99Ms <= 10)]);
  }
  if (sb)
    goals.push([
      '/api/status with br >= 0.7x nginx serving the same bytes (1,000 services)',
      `${fmt(sb.ratio, 2)}x (${fmt(sb.app.rps, 0)} vs ${fmt(sb.nginx.rps, 0)}); >= ${fmt(sb.cpuRatio, 2)}x at equal CPU`,
      verdict(sb.ratio >= 0.7),
    ]);
  if (p) {
    goals.push([
      'lateness p99 <= 20 ms at 1,000 @ 20 s',
      `${fmt(p.slip.target.p99Ms, 1)} ms`,
      verdict(p.slip.target.p99Ms <= 20),
    ]);
    if (p.burst)
      goals.push([
        'a br burst on /api/status moves the lateness p99 by <= 10 ms',
        `${fmt(p.burst.slipDuring.p99Ms, 1)} during vs ${fmt(p.slip.target.p99Ms, 1)} before`,
        verdict(p.burst.slipDuring.p99Ms - p.slip.target.p99Ms <= 10),
      ]);
    goals.push([
      'RSS <= 150 MB at 1,000 @ 20 s (external dynalite)',
      `${fmt(p.maxRssMb, 0)} MB`,
      verdict(p.maxRssMb <= 150),
    ]);
  }
  for (const [n, external, limit] of [
    [1000, false, 150],
    [1000, true, 120],
    [10_000, true, 250],
  ]) {
    const m = results.memory?.find((entry) => entry.n === n && entry.external === external);
    if (m)
      goals.push([
        `RSS <= ${limit} MB at ${n.toLocaleString('en')} services after ${m.settleSeconds} s (${external ? 'external DynamoDB' : 'embedded, as npm start'})`,
        `${fmt(m.rssAtEnd?.rss, 0)} MB (max ${fmt(m.rssMaxMb, 0)})`,
        verdict(m.rssAtEnd?.rss <= limit),
      ]);
  }
  for (const r of results.scheduler)
    goals.push([
      `checks/s = N/60 at N=${r.n} (within 5 %)`,
      `${fmt(r.checksPerSecond, 1)} vs ${fmt(r.expectedChecksPerSecond, 1)}`,
      verdict(Math.abs(r.checksPerSecond / r.expectedChecksPerSecond - 1) <= 0.05),
    ]);
  const r10k = byN(10000);
  if (r10k)
    goals.push([
      'slip p99 <= 1 s at N=10,000',
      `${fmt(r10k.slip.target.p99Ms, 0)} ms`,
      verdict(r10k.slip.target.p99Ms <= 1000),
    ]);
  if (r10k) {
    goals.push([
      'lateness p99 <= 100 ms at 10,000 @ 60 s (issue 17)',
      `${fmt(r10k.slip.target.p99Ms, 1)} ms`,
      verdict(r10k.slip.target.p99Ms <= 100),
    ]);
    if (r10k.burst)
      goals.push([
        'a br burst on /api/status moves the lateness p99 at 10,000 by <= 10 ms',
        `${fmt(r10k.burst.slipDuring.p99Ms, 1)} during vs ${fmt(r10k.slip.target.p99Ms, 1)} before`,
        verdict(r10k.burst.slipDuring.p99Ms - r10k.slip.target.p99Ms <= 10),
      ]);
  }
  const r1k = byN(1000);
  if (r1k)
    goals.push([
      'RSS <= 150 MB at N=1,000',
      `${fmt(r1k.maxRssMb, 0)} MB (peak ${fmt(r1k.peakRssMb, 0)})`,
      verdict(r1k.maxRssMb <= 150),
    ]);
  if (w)
    goals.push([
      '<= 1.2 WCU/check amortised (compressed run)',
      `${fmt(w.writeUnitsPerCheck, 3)}`,
      verdict(w.writeUnitsPerCheck <= 1.2),
    ]);
  const burst = results.scheduler.find((r) => r.burst)?.burst;
  if (burst)
    goals.push([
      'page burst does not delay checks (slip p99 during <= 1 s)',
      `${fmt(burst.slipDuring.p99Ms, 0)} ms during vs ${fmt(burst.slipBefore.p99Ms, 0)} ms before`,
      verdict(burst.slipDuring.p99Ms <= 1000),
    ]);
  const one = results.replicas?.find((r) => r.replicas === 1);
  const three = results.replicas?.find((r) => r.replicas === 3);
  if (one && three) {
    goals.push([
      '3 replicas check at the same rate as 1 (checks/s within 5 %)',
      `${fmt(three.checksPerSecond, 1)} vs ${fmt(one.checksPerSecond, 1)}`,
      verdict(Math.abs(three.checksPerSecond / one.checksPerSecond - 1) <= 0.05),
    ]);
    goals.push([
      'coordination writes per check as the formula says (within 25 %), for 1 and 3 replicas',
      `${fmt(one.writeUnitsPerCheckByTable.coord, 3)} / ${fmt(three.writeUnitsPerCheckByTable.coord, 3)} vs ${fmt(coordFormula(one), 3)} / ${fmt(coordFormula(three), 3)}`,
      verdict([one, three].every((r) => Math.abs(r.writeUnitsPerCheckByTable.coord / coordFormula(r) - 1) <= 0.25)),
    ]);
    goals.push([
      'a check shows on every replica within 3 s (p99)',
      `${fmt(three.convergence.p99Ms, 0)} ms`,
      verdict(three.convergence.p99Ms !== null && three.convergence.p99Ms <= 3000),
    ]);
  }
  out.push('\nSummary');
  out.push(table(['goal', 'measured', 'verdict'], goals));
  if (results.errors.length > 0) out.push(`\nErrors:\n${results.errors.map((e) => `  - ${e}`).join('\n')}`);
  results.goals = goals.map(([goal, measured, result]) => ({ goal, measured, result }));
  results.report = out.join('\n');
  process.stdout.write(`${results.report}\n`);
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  results.errors.push(String(error));
  exitCode = 1;
} finally {
  await cleanup();
  removeTemps();
  save();
  log(`results written to bench/results/latest.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
process.exit(exitCode || (results.errors.length > 0 ? 1 : 0));
