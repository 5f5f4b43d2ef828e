// Profiles the app serving /api/status under wrk: node --prof (V8 tick log, survives the signal that ends the app),
// then `node --prof-process`. Uses bench/results/build (run `node bench/run.mjs --only statusbr` or build first).
//   node bench/prof-status.mjs [services=1000] [encoding=br] [seconds=10]
import { join } from 'node:path';
import { servicesYaml, startApp, startTarget, tempDir, RUNTIME } from './app.mjs';
import { cleanup, runWrk, sleep } from './lib.mjs';

const [services = '1000', encoding = 'br', seconds = '10'] = process.argv.slice(2);
const dir = tempDir('prof');
console.log(`temp dir ${dir}`);
const target = await startTarget();
const log = join(dir, 'v8.log');
const app = await startApp({
  servicesYaml: servicesYaml(Number(services), target.base, { interval: '20s', timeout: '5s' }),
  dataDir: dir,
  cpus: 0,
  nodeArgs: [...RUNTIME.flags, '--prof', '--no-logfile-per-isolate', `--logfile=${log}`],
});
await sleep(15_000);
const headers = encoding === 'identity' ? {} : { 'accept-encoding': encoding };
await runWrk(`${app.base}/api/status`, { seconds: 2, cpus: 1, headers });
const run = await runWrk(`${app.base}/api/status`, { seconds: Number(seconds), cpus: 1, headers });
console.log(`req/s ${Math.round(run.rps)}; V8 log ${log}`);
await app.proc.stop(5000);
await target.proc.stop(5000);
await cleanup();
