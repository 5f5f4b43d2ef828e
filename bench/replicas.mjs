// 1 vs 3 replicas on one (counting) dynalite: N services at their real 60 s interval on a local target, every
// replica loading the same services file. Measured over a steady window once the cluster is settled (every shard
// worked, every boot backlog drained): checks/s at the target, lateness (slip) p99, write units per check by
// table, read units per second per replica, and how long a finished check takes to show on every replica.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { health, offsetOf, serviceId, servicesYaml, startApp, startDynalite, startTarget, tempDir } from './app.mjs';
import { getJson, quantile, sampleProcesses, sleep } from './lib.mjs';

const INTERVAL_MS = 60_000;

async function cluster(base) {
  const { json } = await getJson(`${base}/api/health`, 10_000).catch(() => ({ json: null }));
  return json?.details?.cluster ?? json?.info?.cluster ?? null;
}

/**
 * Lateness at the target: arrival - due, where due = the point of the service's grid (k·1000 + offsetOf(id)) at
 * or before its previous arrival + 60 s (due times are on a fixed per-service grid, and a takeover keeps it).
 */
function lateness(hits, from, to) {
  const byService = new Map();
  for (const [id, at] of hits) {
    if (!byService.has(id)) byService.set(id, []);
    byService.get(id).push(at);
  }
  const slips = [];
  for (const [id, times] of byService) {
    const offset = offsetOf(serviceId(id));
    times.sort((a, b) => a - b);
    for (let index = 1; index < times.length; index += 1) {
      const at = times[index];
      if (at < from || at >= to) continue;
      slips.push(at - (Math.floor((times[index - 1] - offset) / 1000) * 1000 + offset + INTERVAL_MS));
    }
  }
  slips.sort((a, b) => a - b);
  return {
    samples: slips.length,
    p50Ms: quantile(slips, 0.5),
    p99Ms: quantile(slips, 0.99),
    maxMs: slips.at(-1) ?? null,
  };
}

/** Per table (and index): read units and write units between two stats snapshots. */
function units(before, after) {
  const writes = {};
  for (const [name, entry] of Object.entries(after.tables))
    writes[name] = entry.writeUnits - (before.tables[name]?.writeUnits ?? 0);
  const reads = {};
  for (const [name, entry] of Object.entries(after.reads ?? {})) {
    const old = before.reads?.[name] ?? { readUnits: 0, requests: 0 };
    reads[name] = { readUnits: entry.readUnits - old.readUnits, requests: entry.requests - old.requests };
  }
  return {
    writeUnits: after.writeUnits - before.writeUnits,
    readUnits: (after.readUnits ?? 0) - (before.readUnits ?? 0),
    writes,
    reads,
  };
}

/** The store's own time per request in the window (in dynalite's process: queueing there included), by operation. */
function latencyByOp(byOp, to) {
  const out = {};
  for (const [op, samples] of Object.entries(byOp ?? {})) {
    const ms = samples.filter(([end]) => end < to).map(([, took]) => took);
    ms.sort((a, b) => a - b);
    if (ms.length > 0)
      out[op] = { requests: ms.length, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99), maxMs: ms.at(-1) };
  }
  return out;
}

// The convergence watcher reads last checks through the admin API: a token made for this run only.
const ADMIN_TOKEN = `sp_${randomBytes(24).toString('base64url')}`;
const ADMIN_ENV = { ADMIN_TOKEN_HASHES: createHash('sha256').update(ADMIN_TOKEN).digest('hex') };
const ADMIN_HEADERS = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * Convergence: every `everyMs`, GET /api/admin/services of every replica (its `lastCheck` comes from the same
 * status snapshot as /api/status, which leaves the check's time out); for each check (service, lastCheck.at), the
 * first time it was seen on each replica. A check has converged when every replica showed it: that moment minus the
 * check's start is its convergence time (includes the probe itself, a few ms on loopback, and the sampling step).
 */
function watchConvergence(bases, everyMs) {
  const seen = new Map(); // `${id}@${at}` -> Map(base -> firstSeen)
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await Promise.all(
        bases.map(async (base) => {
          const { json } = await getJson(`${base}/api/admin/services`, 10_000, ADMIN_HEADERS).catch(() => ({
            json: null,
          }));
          const now = Date.now();
          for (const service of Array.isArray(json) ? json : []) {
            if (!service.lastCheck) continue;
            const key = `${service.id}@${service.lastCheck.at}`;
            let byBase = seen.get(key);
            if (!byBase) seen.set(key, (byBase = new Map()));
            if (!byBase.has(base)) byBase.set(base, now);
          }
        }),
      );
      await sleep(Math.max(0, everyMs - (Date.now() - started)));
    }
  })();
  return {
    async stop(from, to) {
      running = false;
      await loop;
      const delays = [];
      for (const [key, byBase] of seen) {
        const at = Date.parse(key.slice(key.indexOf('@') + 1));
        if (at < from || at >= to || byBase.size < bases.length) continue;
        delays.push(Math.max(...byBase.values()) - at);
      }
      delays.sort((a, b) => a - b);
      return {
        samples: delays.length,
        p50Ms: quantile(delays, 0.5),
        p99Ms: quantile(delays, 0.99),
        maxMs: delays.at(-1) ?? null,
      };
    },
  };
}

export async function replicasRun({
  n = 2000,
  replicas = 3,
  // Whole intervals: each service is counted once per interval whatever its phase (checks bunch up after a boot).
  windowMs = 120_000,
  settleMaxMs = 150_000,
  sampleEveryMs = 500,
  log,
}) {
  const dir = tempDir(`replicas-${replicas}`);
  const target = await startTarget();
  const dynamo = await startDynalite(join(dir, 'dynamodb'));
  const yaml = servicesYaml(n, target.base, { interval: '60s', timeout: '5s' });
  log(`  ${replicas} replica(s), ${n} services @ 60 s on one dynalite: booting`);
  const apps = await Promise.all(
    Array.from({ length: replicas }, (_, index) => {
      const dataDir = join(dir, `r${index}`);
      mkdirSync(dataDir, { recursive: true });
      return startApp({
        servicesYaml: yaml,
        dataDir,
        dynamoEndpoint: dynamo.endpoint,
        healthyTimeoutMs: 180_000,
        env: ADMIN_ENV,
      });
    }),
  );
  // Settled: every replica sees the others, all 32 shards worked, no boot backlog left.
  const settleStart = Date.now();
  let quiet = 0;
  while (Date.now() - settleStart < settleMaxMs) {
    await sleep(1000);
    const dead = apps.find((app) => app.proc.child.exitCode !== null || app.proc.child.signalCode !== null);
    if (dead)
      throw new Error(
        `a replica exited while settling (exit code ${dead.proc.child.exitCode}, signal ${dead.proc.child.signalCode}):\n${dead.proc.output().slice(-3000)}`,
      );
    const views = await Promise.all(
      apps.map(async (app) => ({ cluster: await cluster(app.base), health: await health(app.base).catch(() => null) })),
    );
    const shards = views.reduce((sum, view) => sum + (view.cluster?.shards?.length ?? 0), 0);
    const ok = views.every(
      (view) =>
        view.cluster?.liveReplicas === replicas && view.cluster.adopting.length === 0 && view.health?.queued === 0,
    );
    quiet = ok && shards === 32 ? quiet + 1 : 0;
    if (quiet >= 3 && Date.now() - settleStart >= 10_000) break;
  }
  const settleMs = Date.now() - settleStart;
  log(`  settled after ${(settleMs / 1000).toFixed(0)} s; measuring ${windowMs / 1000} s`);

  const w0 = Date.now();
  const before = await dynamo.stats();
  const sampler = sampleProcesses(Object.fromEntries(apps.map((app, index) => [`r${index}`, app.pid])));
  const convergence = watchConvergence(
    apps.map((app) => app.base),
    sampleEveryMs,
  );
  await sleep(windowMs);
  const w1 = Date.now();
  const after = await dynamo.stats();
  const storeLatency = latencyByOp(await dynamo.latency(w0), w1);
  const processes = sampler.stop();
  const converged = await convergence.stop(w0, w1 - 5_000);
  const owned = await Promise.all(
    apps.map(async (app) => (await health(app.base).catch(() => null))?.services ?? null),
  );
  const checkedHere = await Promise.all(apps.map(async (app) => (await cluster(app.base))?.checkedServices ?? null));
  const { json: targetStats } = await target.stats(0);
  for (const app of apps) await app.proc.stop(15_000);
  await dynamo.proc.stop(5000);
  await target.proc.stop(5000);

  const hits = targetStats.hits.filter(([, at]) => at >= w0 && at < w1);
  const seconds = (w1 - w0) / 1000;
  const used = units(before, after);
  const checks = hits.length;
  const perCheck = (name) => (checks > 0 ? (used.writes[name] ?? 0) / checks : null);
  const prefix = 'statuspage-';
  const readsPerReplicaPerSecond = Object.fromEntries(
    Object.entries(used.reads).map(([name, entry]) => [name.replace(prefix, ''), entry.readUnits / seconds / replicas]),
  );
  return {
    n,
    replicas,
    settleSeconds: settleMs / 1000,
    windowSeconds: seconds,
    checks,
    checksPerSecond: checks / seconds,
    expectedChecksPerSecond: n / (INTERVAL_MS / 1000),
    lateness: lateness(targetStats.hits, w0, w1),
    writeUnits: used.writeUnits,
    writeUnitsPerCheck: checks > 0 ? used.writeUnits / checks : null,
    writeUnitsPerCheckByTable: {
      checks: perCheck(`${prefix}checks`),
      state: perCheck(`${prefix}state`),
      coord: perCheck(`${prefix}coord`),
      other:
        checks > 0
          ? (used.writeUnits -
              ['checks', 'state', 'coord'].reduce((sum, t) => sum + (used.writes[`${prefix}${t}`] ?? 0), 0)) /
            checks
          : null,
    },
    coordWriteUnitsPerSecond: (used.writes[`${prefix}coord`] ?? 0) / seconds,
    readUnitsPerSecondPerReplica: used.readUnits / seconds / replicas,
    readsPerReplicaPerSecond,
    convergence: converged,
    storeLatency,
    servicesPerReplica: checkedHere,
    loaded: owned,
    cpuPercentPerReplica: apps.map((_, index) => processes[`r${index}`]?.cpuPercent ?? null),
    maxRssMbPerReplica: apps.map((_, index) => processes[`r${index}`]?.maxRssMb ?? null),
  };
}
