// /api/status vs nginx serving the same bytes as a static file, both measured with wrk in the same run: 100
// services uncompressed, or (encoding 'br') 1,000 services with Accept-Encoding: br, nginx then serving the app's
// own brotli bytes with Content-Encoding: br. Both servers are pinned to CPU 0 (one Node process / one nginx worker), wrk to CPU 1 when taskset
// exists, so neither side can borrow the other core.
import { chmodSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { servicesYaml, startApp, startTarget, tempDir } from './app.mjs';
import {
  foreignLoad,
  freePort,
  getJson,
  launch,
  memoryMb,
  pinned,
  runWrk,
  sleep,
  treeCpuSeconds,
  PIN,
} from './lib.mjs';

const SERVER_CPU = 0;
const WRK_CPU = 1;

/** One GET on a socket, the body as sent (node:http does not decode it, fetch would). */
function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

export async function startNginx(dir, file, encoding = 'identity') {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /api/status {
      default_type application/json;
      alias ${file};
${encoding === 'identity' ? '' : `      add_header Content-Encoding ${encoding};\n      add_header Vary Accept-Encoding;\n`}    }
  }
}
`,
  );
  const argv = [...pinned(SERVER_CPU), '/usr/sbin/nginx', '-p', dir, '-c', conf, '-e', `${dir}/error.log`];
  const proc = launch('nginx', argv[0], argv.slice(1));
  const url = `http://127.0.0.1:${port}/api/status`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const { body } = await rawGet(url, {});
      if (body.length > 0) return { proc, url, bytes: body.length };
    } catch {
      /* not yet */
    }
    if (proc.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`nginx did not start:\n${proc.output()}`);
    await sleep(100);
  }
}

export async function statusBench({
  services = 100,
  warmupSeconds = 2,
  seconds = 10,
  rounds = 2,
  connections = 64,
  encoding = 'identity',
  interval = '10s',
  log,
}) {
  const dir = tempDir('status');
  chmodSync(dir, 0o755); // the nginx worker runs as nobody
  const target = await startTarget();
  log(`  status: booting the app with ${services} services (embedded DynamoDB, pinned to CPU ${SERVER_CPU})`);
  // 10 s interval: every service's first check lands within ~10 s of boot (a 60 s interval spreads them over a
  // minute); the document has the same shape either way.
  const app = await startApp({
    servicesYaml: servicesYaml(services, target.base, { interval, timeout: '5s' }),
    dataDir: dir,
    cpus: SERVER_CPU,
  });
  const deadline = Date.now() + 30_000 + services * 30;
  let doc;
  for (;;) {
    doc = (await getJson(`${app.base}/api/status`)).json;
    if (doc.services.length === services && doc.services.every((service) => service.lastCheck !== null)) break;
    if (Date.now() > deadline) throw new Error('not every service was checked within 30 s');
    await sleep(250);
  }
  const requestHeaders = encoding === 'identity' ? {} : { 'accept-encoding': encoding };
  const identity = await rawGet(`${app.base}/api/status`, {});
  const response = await rawGet(`${app.base}/api/status`, requestHeaders);
  const body = response.body;
  if ((response.headers['content-encoding'] ?? 'identity') !== encoding)
    throw new Error(`the app answered content-encoding ${response.headers['content-encoding']}, expected ${encoding}`);
  const file = join(dir, 'status.json');
  writeFileSync(file, body);
  chmodSync(file, 0o644);
  const nginx = await startNginx(dir, file, encoding);
  if (nginx.bytes !== body.length) throw new Error(`nginx served ${nginx.bytes} bytes, expected ${body.length}`);

  const wrkOptions = { threads: 2, connections, cpus: WRK_CPU, headers: requestHeaders };
  log(
    `  status: wrk -t2 -c${connections} --latency, ${warmupSeconds} s warm-up, then ${rounds} x ${seconds} s alternating nginx / app`,
  );
  await runWrk(nginx.url, { ...wrkOptions, seconds: warmupSeconds });
  await runWrk(`${app.base}/api/status`, { ...wrkOptions, seconds: warmupSeconds });
  // CPU per request (the server's user + system time over the requests it answered) is the companion number a
  // shared box cannot distort much: other load steals time slices from a pinned server, which lowers its req/s,
  // but the CPU each request costs mostly stays. The app also monitors (checks, the embedded DynamoDB, snapshot
  // builds) whether or not anyone reads; that background (measured with no requests, reported) stays in the app's
  // CPU per request, spread over the requests it managed to serve — the fewer a starved round serves, the more
  // each is charged — so nginx µs / app µs is a lower bound of the req/s ratio on two equal idle cores.
  // (Subtracting the idle background instead fails under contention: a starved app can use less than it.)
  const idleSeconds = 5;
  const idleBefore = treeCpuSeconds(app.pid);
  await sleep(idleSeconds * 1000);
  const background = (treeCpuSeconds(app.pid) - idleBefore) / idleSeconds;
  const measure = async (url, pid) => {
    const noise = foreignLoad();
    const cpuBefore = treeCpuSeconds(pid);
    const run = await runWrk(url, { ...wrkOptions, seconds });
    const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
    return { ...run, cpuSeconds, cpuUsPerRequest: (cpuSeconds * 1e6) / run.requests, other: noise.stop() };
  };
  const nginxRuns = [];
  const appRuns = [];
  for (let round = 0; round < rounds; round += 1) {
    nginxRuns.push(await measure(nginx.url, nginx.proc.pid));
    appRuns.push(await measure(`${app.base}/api/status`, app.pid));
  }
  // Noise on a shared box only ever slows a run down: the best round of each server is the comparison.
  const best = (runs) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const nginxRun = best(nginxRuns);
  const appRun = best(appRuns);
  const appMemory = memoryMb(app.pid);
  await nginx.proc.stop(5000, 'SIGQUIT');
  await app.proc.stop(10_000);
  await target.proc.stop(5000);

  const strip = ({ raw, ...rest }) => rest;
  const round = (run) => ({
    rps: run.rps,
    p99Ms: run.p99Ms,
    cpuUsPerRequest: run.cpuUsPerRequest,
    otherCpuPercent: run.other.percent,
  });
  return {
    services,
    encoding,
    intervalSeconds: Number.parseInt(interval, 10),
    responseBytes: body.length,
    identityBytes: identity.body.length,
    contentType: response.headers['content-type'],
    connections,
    seconds,
    pinned: PIN ? { servers: `CPU ${SERVER_CPU}`, wrk: `CPU ${WRK_CPU}` } : null,
    nginx: strip(nginxRun),
    app: strip(appRun),
    ratio: appRun.rps / nginxRun.rps,
    appBackgroundCpu: background,
    // The lowest CPU per request of each server (noise only adds to it): a lower bound of the ratio at equal CPU.
    cpuRatio:
      Math.min(...nginxRuns.map((run) => run.cpuUsPerRequest)) / Math.min(...appRuns.map((run) => run.cpuUsPerRequest)),
    appRssMb: appMemory?.rss ?? null,
    appPeakRssMb: appMemory?.hwm ?? null,
    rounds: {
      nginx: nginxRuns.map(round),
      app: appRuns.map(round),
    },
    raw: { nginx: nginxRuns.map((run) => run.raw), app: appRuns.map((run) => run.raw) },
  };
}
