// Where the memory goes: the app with N services (embedded DynamoDB as `npm start` runs it, or an external
// dynalite as in production), sampled after a settle time: RSS, process.memoryUsage() before and after a full GC,
// V8 heap spaces. The same for a one-service app, the baseline of the same run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, servicesYaml, startApp, startDynalite, startTarget, tempDir } from './app.mjs';
import { memoryMb, sleep } from './lib.mjs';

async function sample(app, file) {
  process.kill(app.pid, 'SIGUSR2');
  for (let attempt = 0; attempt < 50 && !existsSync(file); attempt += 1) await sleep(100);
  return { rss: memoryMb(app.pid), ...JSON.parse(readFileSync(file, 'utf8')) };
}

export async function memoryRun({ n, external = false, settleMs = 60_000, intervalMs = 20_000, log }) {
  const dir = tempDir(`memory-${n}`);
  const target = await startTarget();
  const dynamo = external ? await startDynalite(join(dir, 'dynamodb')) : null;
  const file = join(dir, 'memory.json');
  log(
    `  memory: ${n} services at ${intervalMs / 1000} s, ${external ? 'external dynalite' : 'embedded DynamoDB'}, sampled after ${settleMs / 1000} s`,
  );
  const app = await startApp({
    servicesYaml: servicesYaml(n, target.base, { interval: `${intervalMs / 1000}s`, timeout: '5s' }),
    dataDir: dir,
    ...(dynamo ? { dynamoEndpoint: dynamo.endpoint } : {}),
    env: { BENCH_MEMORY_FILE: file },
    nodeArgs: ['--max-semi-space-size=2', '--expose-gc', '--import', join(BENCH_DIR, 'memory-probe.mjs')],
    healthyTimeoutMs: 150_000,
  });
  await sleep(settleMs);
  const result = { n, external, settleSeconds: settleMs / 1000, ...(await sample(app, file)) };
  await app.proc.stop(15_000);
  await dynamo?.proc.stop(5000);
  await target.proc.stop(5000);
  return result;
}
