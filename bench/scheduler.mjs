// Scheduler capacity: N services on a local target at their real 60 s interval (wall clock, no compression),
// the app on an external counting dynalite, measured over a steady window after boot; optionally a /api/status
// burst with wrk at the end. Plus a short time-compressed run (1 s interval) for the amortised write units.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  health,
  offsetOf,
  phaseOf,
  serviceId,
  servicesYaml,
  startApp,
  startDynalite,
  startTarget,
  tempDir,
} from './app.mjs';
import { foreignLoad, quantile, runWrk, sampleProcesses, sleep } from './lib.mjs';

const INTERVAL_MS = 60_000;

/** Per-table write units and items between two dynalite stats snapshots. */
function writeDelta(before, after) {
  const tables = {};
  for (const [name, entry] of Object.entries(after.tables)) {
    const old = before.tables[name] ?? { writeUnits: 0, jsonWriteUnits: 0, items: 0, bytes: 0, byOp: {} };
    const byOp = {};
    for (const [op, count] of Object.entries(entry.byOp)) byOp[op] = count - (old.byOp[op] ?? 0);
    tables[name] = {
      writeUnits: entry.writeUnits - old.writeUnits,
      jsonWriteUnits: entry.jsonWriteUnits - old.jsonWriteUnits,
      items: entry.items - old.items,
      avgItemBytes: entry.items - old.items > 0 ? (entry.bytes - old.bytes) / (entry.items - old.items) : null,
      byOp,
    };
  }
  const requests = {};
  for (const [op, count] of Object.entries(after.requests)) requests[op] = count - (before.requests[op] ?? 0);
  return {
    writeUnits: after.writeUnits - before.writeUnits,
    jsonWriteUnits: after.jsonWriteUnits - before.jsonWriteUnits,
    requests,
    tables,
  };
}

/**
 * Slip as the target saw it. Due times are recomputed from outside with the app's own rule (schedule.ts
 * `firstDueAt`): at boot (one `now` N0 for all services) the first due time is the first point of the service's
 * grid (k·1000 + offsetOf(id)) at or after N0, + phaseOf(id, K) s, then every interval; K is the number of whole
 * seconds left of the first min(interval, 60 s) counted from the process start S (the bench's spawn instant; the
 * app's `performance.timeOrigin` is a few ms later), so K = floor((S + spread − slot) / 1000), at most spread/1000.
 * N0 is estimated as the largest instant that makes every service's first hit non-negative. Both estimates can be
 * off by a little (a service whose first check came a second or more late, S vs the app's own start), so each
 * service keeps, among the grids one second earlier or later and K one lower or higher, the one that gives its
 * hits the smallest median slip — a choice among six candidates of the rule, not a free fit. slip = arrival at the
 * target − due time, so it also includes connect + request time on loopback (well under 1 ms).
 */
function slipModelWith(hits, count, intervalMs, startedAt) {
  const spreadMs = Math.min(intervalMs, 60_000);
  const offset = new Float64Array(count);
  for (let index = 0; index < count; index += 1) offset[index] = offsetOf(serviceId(index));
  const slotAtOrAfter = (index, at) => Math.ceil((at - offset[index]) / 1000) * 1000 + offset[index];
  const slotsFor = (index, slot) => {
    const window = startedAt === null ? spreadMs : Math.min(spreadMs, startedAt + spreadMs - slot);
    return Math.max(1, Math.floor(window / 1000));
  };
  const byService = Array.from({ length: count }, () => []);
  for (const [id, at] of hits) byService[id].push(at);
  let n0 = Number.POSITIVE_INFINITY;
  if (startedAt === null) {
    for (let index = 0; index < count; index += 1)
      if (byService[index].length > 0) {
        const first = Math.min(...byService[index]);
        const phase = phaseOf(serviceId(index), spreadMs / 1000) * 1000;
        n0 = Math.min(n0, Math.floor((first - offset[index] - phase) / 1000) * 1000 + offset[index]);
      }
  } else {
    // The earliest first hit is a service of phase 0 within a second of N0: N0 is in the second before it (the
    // candidates below try the grid point after that instant and the one a second later).
    for (const times of byService) if (times.length > 0) n0 = Math.min(n0, ...times);
    n0 -= 1000;
  }
  const slipFrom = (firstDue, at) => at - (firstDue + Math.floor((at - firstDue) / intervalMs) * intervalMs);
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const firstDue = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    const times = byService[index];
    const candidates = [];
    const slot0 = slotAtOrAfter(index, n0);
    for (const slot of startedAt === null ? [slot0, slot0 - 1000] : [slot0, slot0 + 1000]) {
      const k = slotsFor(index, slot);
      for (const slots of new Set([k, Math.max(1, k - 1), Math.min(spreadMs / 1000, k + 1)]))
        candidates.push(slot + phaseOf(serviceId(index), slots) * 1000);
    }
    let best = candidates[0];
    let bestSlip = Number.POSITIVE_INFINITY;
    if (times.length > 0)
      for (const candidate of candidates) {
        if (Math.min(...times) < candidate) continue; // a check before its due time: not this grid
        const slip = median(times.map((at) => slipFrom(candidate, at)));
        if (slip < bestSlip) [best, bestSlip] = [candidate, slip];
      }
    firstDue[index] = best;
  }
  return hits.map(([id, at]) => {
    const due = firstDue[id] + Math.floor((at - firstDue[id]) / intervalMs) * intervalMs;
    return { id, at, due, slip: at - due };
  });
}

/**
 * The model above with the first-check window counted from the process start (the rule since the boot work of
 * issue 17) and without it (builds before that), whichever fits the hits better (smaller median slip): so the bench
 * measures a baseline commit and this one alike.
 */
export function slipModel(hits, count, intervalMs = INTERVAL_MS, startedAt = null) {
  const median = (entries) => {
    const slips = entries.map((entry) => entry.slip).sort((a, b) => a - b);
    return slips.length ? Math.abs(slips[Math.floor(slips.length / 2)]) : 0;
  };
  const fromStart = startedAt === null ? null : slipModelWith(hits, count, intervalMs, startedAt);
  const fromBoot = slipModelWith(hits, count, intervalMs, null);
  return fromStart !== null && median(fromStart) <= median(fromBoot) ? fromStart : fromBoot;
}

function slipSummary(entries) {
  const slips = entries.map((entry) => entry.slip).sort((a, b) => a - b);
  return {
    samples: slips.length,
    p50Ms: quantile(slips, 0.5),
    p99Ms: quantile(slips, 0.99),
    maxMs: slips.length ? slips[slips.length - 1] : null,
  };
}

/**
 * One capacity run. Steady window = from the moment the boot is over for `windowMs`: the backlog drained (health:
 * queued 0 twice in a row, at least `settleMinMs` after healthy), no service still restoring its recent checks, and
 * the first checks' window passed (min(interval, 60 s) from the spawn: since the first checks are spread over it
 * counted from the process start, a window opened earlier would measure the boot, not the steady state).
 */
export async function schedulerRun({
  n,
  windowMs = 75_000,
  settleMinMs = 5_000,
  settleMaxMs = 90_000,
  burstMs = 0,
  intervalMs = INTERVAL_MS,
  burstHeaders = {},
  log,
}) {
  const dir = tempDir(`sched-${n}`);
  const target = await startTarget();
  const dynamo = await startDynalite(join(dir, 'dynamodb'));
  log(`  N=${n}: booting the app (${n} services, ${intervalMs / 1000} s interval, external dynalite)`);
  const app = await startApp({
    servicesYaml: servicesYaml(n, target.base, { interval: `${intervalMs / 1000}s`, timeout: '5s' }),
    dataDir: dir,
    dynamoEndpoint: dynamo.endpoint,
    healthyTimeoutMs: 150_000,
  });
  const bootMs = app.bootMs;
  const settleStart = Date.now();
  let drained = 0;
  let settleHealth = null;
  while (Date.now() - settleStart < settleMaxMs) {
    await sleep(1000);
    settleHealth = await health(app.base).catch(() => null);
    drained = settleHealth && settleHealth.queued === 0 && !(settleHealth.restoring > 0) ? drained + 1 : 0;
    const firstChecksDone = Date.now() - (app.readyAt - app.bootMs) >= Math.min(intervalMs, 60_000) + 1000;
    if (drained >= 2 && firstChecksDone && Date.now() - settleStart >= settleMinMs) break;
  }
  const settleMs = Date.now() - settleStart;
  log(
    `  N=${n}: healthy after ${(bootMs / 1000).toFixed(1)} s, backlog drained after ${(settleMs / 1000).toFixed(1)} s more; measuring ${windowMs / 1000} s`,
  );

  // Steady window.
  const pids = { app: app.pid, dynalite: dynamo.proc.pid, target: target.proc.pid };
  const w0 = Date.now();
  const dynamoBefore = await dynamo.stats();
  const sampler = sampleProcesses(pids);
  const noise = foreignLoad();
  const healthSeries = [];
  while (Date.now() - w0 < windowMs) {
    await sleep(Math.min(5000, windowMs - (Date.now() - w0)));
    healthSeries.push(await health(app.base).catch(() => null));
  }
  const w1 = Date.now();
  const dynamoAfter = await dynamo.stats();
  const processes = sampler.stop();
  const other = noise.stop();
  const healthEnd = healthSeries.at(-1);

  // Burst: /api/status with wrk -c64 while the scheduler keeps running.
  let burst = null;
  if (burstMs > 0) {
    log(`  N=${n}: /api/status burst, wrk -t2 -c64 -d${burstMs / 1000}s`);
    const b0 = Date.now();
    const burstSampler = sampleProcesses(pids);
    const burstNoise = foreignLoad();
    const wrk = await runWrk(`${app.base}/api/status`, {
      threads: 2,
      connections: 64,
      seconds: burstMs / 1000,
      headers: burstHeaders,
    });
    const b1 = Date.now();
    const burstProcesses = burstSampler.stop();
    burst = {
      b0,
      b1,
      wrk,
      processes: burstProcesses,
      other: burstNoise.stop(),
      healthAfter: await health(app.base).catch(() => null),
    };
    const { raw, ...rest } = wrk;
    burst.wrk = rest;
  }

  const { json: targetStats } = await target.stats(0);
  const stopStarted = Date.now();
  const stop = await app.proc.stop(15_000);
  const shutdownMs = Date.now() - stopStarted;
  const dynamoFinal = await dynamo.stats();
  await dynamo.proc.stop(5000);
  await target.proc.stop(5000);

  if (process.env.BENCH_DUMP_HITS)
    writeFileSync(
      process.env.BENCH_DUMP_HITS,
      JSON.stringify({
        hits: targetStats.hits,
        startedAt: app.readyAt - app.bootMs,
        n,
        intervalMs,
        window: [w0, w1],
        burst: burst ? [burst.b0, burst.b1] : null,
      }),
    );
  const modelled = slipModel(targetStats.hits, n, intervalMs, app.readyAt - app.bootMs);
  const inWindow = (entry, from, to) => entry.due >= from && entry.due < to;
  const steadySlip = slipSummary(modelled.filter((entry) => inWindow(entry, w0, w1)));
  const checksInWindow = targetStats.hits.filter(([, at]) => at >= w0 && at < w1).length;
  const windowSeconds = (w1 - w0) / 1000;
  const writes = writeDelta(dynamoBefore, dynamoAfter);
  const result = {
    n,
    intervalSeconds: intervalMs / 1000,
    bootMs,
    settleMs,
    windowSeconds,
    checks: checksInWindow,
    checksPerSecond: checksInWindow / windowSeconds,
    expectedChecksPerSecond: n / (intervalMs / 1000),
    slip: {
      target: steadySlip,
      app: healthEnd
        ? {
            p50Ms: healthEnd.slipP50Ms,
            p99Ms: healthEnd.slipP99Ms,
            note: 'ring of the last 10,000 dispatches, boot included while it fits',
          }
        : null,
    },
    maxQueued: Math.max(0, ...healthSeries.map((entry) => entry?.queued ?? 0)),
    cpuPercent: processes.app.cpuPercent,
    maxRssMb: processes.app.maxRssMb,
    peakRssMb: processes.app.hwmMb,
    dynaliteCpuPercent: processes.dynalite.cpuPercent,
    targetCpuPercent: processes.target.cpuPercent,
    otherCpuPercent: other.percent,
    otherTop: other.top,
    writeUnits: writes.writeUnits,
    writeUnitsPerCheck: checksInWindow > 0 ? writes.writeUnits / checksInWindow : null,
    jsonWriteUnitsPerCheck: checksInWindow > 0 ? writes.jsonWriteUnits / checksInWindow : null,
    writes,
    droppedWrites: healthEnd?.droppedWrites ?? null,
    shutdown: {
      ms: shutdownMs,
      clean: stop.code === 0 || stop.signal === 'SIGTERM',
      flushedWriteUnits: dynamoFinal.writeUnits - dynamoAfter.writeUnits,
    },
  };
  if (burst) {
    const during = slipSummary(modelled.filter((entry) => inWindow(entry, burst.b0, burst.b1)));
    result.burst = {
      seconds: (burst.b1 - burst.b0) / 1000,
      wrk: burst.wrk,
      slipBefore: steadySlip,
      slipDuring: during,
      appHealthAfter: burst.healthAfter
        ? { p50Ms: burst.healthAfter.slipP50Ms, p99Ms: burst.healthAfter.slipP99Ms }
        : null,
      checksDuring: targetStats.hits.filter(([, at]) => at >= burst.b0 && at < burst.b1).length,
      cpuPercent: burst.processes.app.cpuPercent,
      otherCpuPercent: burst.other.percent,
      otherTop: burst.other.top,
    };
  }
  // Model sanity: in a steady window nearly every slip is small; a mismatch (app scheduling changed) shows as
  // negative or interval-sized slips.
  const negative = modelled.filter((entry) => entry.slip < -5).length;
  result.slipModelOk = negative === 0;
  return result;
}

/**
 * Time-compressed write-unit run: `n` services at a 1 s interval (the shortest the app accepts) so each service
 * goes through many checks in seconds. The first `warmChecks` checks of each service (state writes while the
 * streak counters climb to their cap) are excluded: write units are counted from then for `windowMs`.
 */
export async function writeUnitsRun({ n = 200, warmMs = 8_000, windowMs = 20_000, log }) {
  const dir = tempDir('wcu');
  const target = await startTarget();
  const dynamo = await startDynalite(join(dir, 'dynamodb'));
  log(
    `  WCU: ${n} services at a 1 s interval (time compressed 60x), ${warmMs / 1000} s warm-up + ${windowMs / 1000} s window`,
  );
  const app = await startApp({
    servicesYaml: servicesYaml(n, target.base, { interval: '1s', timeout: '900ms' }),
    dataDir: dir,
    dynamoEndpoint: dynamo.endpoint,
  });
  await sleep(warmMs);
  const before = await dynamo.stats();
  const w0 = Date.now();
  const noise = foreignLoad();
  await sleep(windowMs);
  const w1 = Date.now();
  const other = noise.stop();
  const after = await dynamo.stats();
  const healthEnd = await health(app.base).catch(() => null);
  const { json: targetStats } = await target.stats(0);
  await app.proc.stop(15_000);
  await dynamo.proc.stop(5000);
  await target.proc.stop(5000);
  const checks = targetStats.hits.filter(([, at]) => at >= w0 && at < w1).length;
  const writes = writeDelta(before, after);
  return {
    n,
    intervalSeconds: 1,
    windowSeconds: (w1 - w0) / 1000,
    checks,
    checksPerSecond: checks / ((w1 - w0) / 1000),
    writeUnits: writes.writeUnits,
    writeUnitsPerCheck: checks > 0 ? writes.writeUnits / checks : null,
    jsonWriteUnitsPerCheck: checks > 0 ? writes.jsonWriteUnits / checks : null,
    byTable: Object.fromEntries(
      Object.entries(writes.tables).map(([name, entry]) => [
        name,
        { ...entry, perCheck: checks > 0 ? entry.writeUnits / checks : null },
      ]),
    ),
    requests: writes.requests,
    slipP99Ms: healthEnd?.slipP99Ms ?? null,
    otherCpuPercent: other.percent,
  };
}
