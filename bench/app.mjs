// Starting the compiled app, the local target and the counting dynalite as separate processes.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NODE_ENV, NODE_FLAGS } from '../scripts/node-runtime.mjs';
import { freePort, getJson, launch, pinned, sleep } from './lib.mjs';

export const BENCH_DIR = resolve(import.meta.dirname);
/**
 * The app's Node flags and environment: the product's (scripts/node-runtime.mjs) unless BENCH_NODE_FLAGS /
 * BENCH_NODE_ENV (space-separated, e.g. `--max-semi-space-size=2` and `MALLOC_ARENA_MAX=8`; empty = none) name
 * others, to measure a baseline in the same shape.
 */
export const RUNTIME = {
  flags: process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? NODE_FLAGS,
  env:
    process.env.BENCH_NODE_ENV === undefined
      ? NODE_ENV
      : Object.fromEntries(
          process.env.BENCH_NODE_ENV.split(' ')
            .filter(Boolean)
            .map((pair) => pair.split('=')),
        ),
};
// BENCH_APP_MAIN: benchmark another compiled main.js (e.g. an experimental build) instead of bench/results/build.
export const BUILD_MAIN = process.env.BENCH_APP_MAIN ?? join(BENCH_DIR, 'results/build/apps/api/src/main.js');

const temps = [];
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${prefix}-`));
  temps.push(dir);
  return dir;
}
export function removeTemps() {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Services YAML: `count` services on the target, distinct paths /s/<n>, realistic names and groups. */
export function servicesYaml(count, targetBase, { interval = '60s', timeout = '5s' } = {}) {
  const lines = ['services:'];
  for (let index = 0; index < count; index += 1) {
    const id = serviceId(index);
    lines.push(
      `  - id: ${id}`,
      `    name: "Service ${String(index).padStart(5, '0')} API"`,
      `    group: "Group ${String.fromCharCode(65 + (index % 10))}"`,
      `    url: "${targetBase}/s/${index}"`,
      `    interval: "${interval}"`,
      `    timeout: "${timeout}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const serviceId = (index) => `svc-${String(index).padStart(5, '0')}`;

function fnv1a(id) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Copy of libs/monitoring/src/scheduling/schedule.ts phaseOf (FNV-1a), to recompute due times from outside. */
export function phaseOf(id, slots) {
  return fnv1a(id) % Math.max(1, slots);
}

/** Copy of schedule.ts offsetOf: the service's millisecond within the second (due times are k·1000 + offset). */
export function offsetOf(id) {
  let hash = fnv1a(id);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % 1000;
}

export async function startTarget(cpus = null) {
  const argv = [...pinned(cpus), process.execPath, join(BENCH_DIR, 'target-server.mjs')];
  const proc = launch('target', argv[0], argv.slice(1));
  const [, port] = await proc.waitFor(/READY (\d+)/, 10_000);
  return {
    proc,
    base: `http://127.0.0.1:${port}`,
    stats: (since = 0) => getJson(`http://127.0.0.1:${port}/__stats?since=${since}`, 30_000),
  };
}

export async function startDynalite(path) {
  const proc = launch('dynalite', process.execPath, [join(BENCH_DIR, 'dynalite-server.mjs'), path ?? '-'], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
  });
  const [, port] = await proc.waitFor(/READY (\d+)/, 10_000);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    proc,
    endpoint,
    stats: async () => (await getJson(`${endpoint}/__bench/stats`, 10_000)).json,
    latency: async (since) => (await getJson(`${endpoint}/__bench/latency?since=${since}`, 10_000)).json,
  };
}

/**
 * Spawns the app the way test/support/app-process.ts does (env only), waits for /api/health 200.
 * `dynamoEndpoint` switches it to an external DynamoDB (it then creates its tables itself).
 */
/**
 * BENCH_APP_ENV="NAME=value NAME=value": app settings for every app a bench starts (side-by-side runs of one build,
 * e.g. BENCH_APP_ENV=HEAP_COMPACT_EVERY=0s).
 */
function appEnv() {
  return Object.fromEntries(
    (process.env.BENCH_APP_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

export async function startApp({
  servicesYaml: yaml,
  dataDir,
  dynamoEndpoint,
  env = {},
  cpus = null,
  healthyTimeoutMs = 60_000,
  // The same V8 flags and environment as npm start and the systemd unit.
  nodeArgs = RUNTIME.flags,
  nodeEnv = RUNTIME.env,
}) {
  const configPath = join(dataDir, 'services.yaml');
  writeFileSync(configPath, yaml);
  const port = await freePort();
  const argv = [...pinned(cpus), process.execPath, ...nodeArgs, BUILD_MAIN];
  const startedAt = Date.now();
  const proc = launch('app', argv[0], argv.slice(1), {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATUS_CONFIG: configPath,
      TARGET_ALLOW_CIDRS: '127.0.0.0/8',
      NODE_NO_WARNINGS: '1',
      ...nodeEnv,
      ...(dynamoEndpoint
        ? {
            AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'x',
            AWS_REGION: 'us-east-1',
          }
        : {}),
      ...appEnv(),
      ...env,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + healthyTimeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`app exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.output().slice(-3000)}`);
    try {
      const { status } = await getJson(`${base}/api/health`, 3000);
      if (status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline)
      throw new Error(`app not healthy within ${healthyTimeoutMs} ms:\n${proc.output().slice(-3000)}`);
    await sleep(100);
  }
  // With taskset the spawned pid is taskset's, which execs node: same pid.
  return { proc, base, pid: proc.pid, bootMs: Date.now() - startedAt, readyAt: Date.now() };
}

export async function health(base) {
  const { json } = await getJson(`${base}/api/health`, 10_000);
  return json?.details?.scheduler ?? json?.info?.scheduler ?? json?.error?.scheduler ?? null;
}
