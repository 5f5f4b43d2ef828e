// What one Node process can serve at most: the same precompressed bytes answered by nginx (one worker), a bare
// node:http server with the fast path's header list, a bare node:http server with three headers, and a raw `net`
// server writing a precomputed response, each pinned to CPU 0 with nothing else running in it (no monitoring), wrk
// on CPU 1, alternating rounds. A measurement for docs/bench.md, not a product path: the raw server answers only
// `GET /api/status HTTP/1.1` heads with no body and closes the connection on anything else.
//   node bench/serve-ceiling.mjs [bytes=6000] [seconds=8] [rounds=2]
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { removeTemps, startApp, startTarget, tempDir } from './app.mjs';
import { cleanup, fmt, freePort, launch, pinned, runWrk, sleep, table, treeCpuSeconds } from './lib.mjs';
import { startNginx } from './status.mjs';
import { NODE_FLAGS } from '../scripts/node-runtime.mjs';

const [bytes = '6000', seconds = '8', rounds = '2'] = process.argv.slice(2);
const SERVER_CPU = 0;
const WRK_CPU = 1;
const dir = tempDir('ceiling');
chmodSync(dir, 0o755);
// The app itself (bench/results/build) with 1,000 paused services: nothing is checked, the snapshot never changes,
// so it measures serving alone; its br bytes are then what every server sends. WITH_APP=0 leaves it out.
const withApp = process.env.WITH_APP !== '0';
let app = null;
let body = randomBytes(Number(bytes));
if (withApp) {
  const target = await startTarget();
  const yaml = `services:\n${Array.from({ length: 1000 }, (_, i) => `  - { id: svc-${i}, name: "Service ${i}", group: "Group ${i % 10}", url: "${target.base}/${i}", paused: true }`).join('\n')}\n`;
  app = await startApp({ servicesYaml: yaml, dataDir: dir, cpus: SERVER_CPU });
  await sleep(3000);
  for (let i = 0; i < 3; i += 1) {
    body = await new Promise((resolve, reject) =>
      httpGet(`${app.base}/api/status`, { headers: { 'accept-encoding': 'br' } }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
  }
}
const file = join(dir, 'status.json');
writeFileSync(file, body);
chmodSync(file, 0o644);

// The header list the fast path sends for a br 200 (helmet's set, validators, content headers).
const HEADERS = [
  'content-security-policy',
  "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';object-src 'none';frame-ancestors 'none';base-uri 'self';font-src 'self' https: data:;form-action 'self';script-src-attr 'none'",
  'cross-origin-opener-policy',
  'same-origin',
  'cross-origin-resource-policy',
  'same-origin',
  'origin-agent-cluster',
  '?1',
  'referrer-policy',
  'no-referrer',
  'strict-transport-security',
  'max-age=31536000; includeSubDomains',
  'x-content-type-options',
  'nosniff',
  'x-dns-prefetch-control',
  'off',
  'x-download-options',
  'noopen',
  'x-frame-options',
  'SAMEORIGIN',
  'x-permitted-cross-domain-policies',
  'none',
  'x-xss-protection',
  '0',
  'cache-control',
  'public, max-age=5, s-maxage=5, stale-while-revalidate=30, stale-if-error=86400',
  'vary',
  'Accept-Encoding',
  'etag',
  '"Q2hhbmdlcyBldmVyeSBzbmFwc2hvdCBhYmNkZWY-br"',
  'content-type',
  'application/json; charset=utf-8',
  'content-encoding',
  'br',
  'content-length',
  String(body.length),
];

/** Runs `serve` (a child process pinned to CPU 0) and returns its url and process. */
async function child(name, source, flags = []) {
  const port = await freePort();
  const script = join(dir, `${name}.mjs`);
  writeFileSync(script, source.replaceAll('__PORT__', String(port)));
  const argv = [...pinned(SERVER_CPU), process.execPath, ...flags, script];
  const proc = launch(name, argv[0], argv.slice(1));
  const url = `http://127.0.0.1:${port}/api/status`;
  for (let waited = 0; ; waited += 100) {
    try {
      // node:http, not fetch: fetch would try to decode the (random) br body.
      const status = await new Promise((resolve, reject) =>
        httpGet(url, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        }).on('error', reject),
      );
      if (status === 200) return { proc, url };
    } catch {
      if (waited > 10_000) throw new Error(`${name} did not start:\n${proc.output()}`);
    }
    await sleep(100);
  }
}

const shared = `
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
const body = readFileSync(${JSON.stringify(file)});
const HEADERS = ${JSON.stringify(HEADERS)};
`;
const servers = [
  { name: 'nginx', start: async () => startNginx(dir, file, 'br') },
  ...(app
    ? [
        {
          name: 'the app (fast path), 1,000 paused services',
          start: async () => ({
            proc: { pid: app.pid, stop: (ms) => app.proc.stop(ms) },
            url: `${app.base}/api/status`,
          }),
        },
      ]
    : []),
  {
    name: 'node:http, fast-path headers + UUID',
    start: () =>
      child(
        'http-full',
        `${shared}
import { createServer } from 'node:http';
createServer((request, response) => {
  response.writeHead(200, [...HEADERS, 'x-request-id', randomUUID()]);
  response.end(body);
}).listen(__PORT__, '127.0.0.1');`,
      ),
  },
  {
    // The server as the app configures it (fastify-adapter.ts, connection-limits.ts) and its V8 flags.
    name: 'node:http, + app server options and flags',
    start: () =>
      child(
        'http-app',
        `${shared}
import { createServer } from 'node:http';
const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 }, (request, response) => {
  response.writeHead(200, [...HEADERS, 'x-request-id', randomUUID()]);
  response.end(body);
});
server.keepAliveTimeout = 72_000;
server.requestTimeout = 30_000;
server.setTimeout(77_000);
const open = new Map();
server.on('connection', (socket) => {
  const address = socket.remoteAddress ?? '';
  open.set(address, (open.get(address) ?? 0) + 1);
  socket.once('close', () => open.set(address, open.get(address) - 1));
});
server.listen(__PORT__, '127.0.0.1');`,
        NODE_FLAGS,
      ),
  },
  {
    name: 'node:http, 3 headers',
    start: () =>
      child(
        'http-min',
        `${shared}
import { createServer } from 'node:http';
const MIN = ['content-type', 'application/json', 'content-encoding', 'br', 'content-length', String(body.length)];
createServer((request, response) => {
  response.writeHead(200, MIN);
  response.end(body);
}).listen(__PORT__, '127.0.0.1');`,
      ),
  },
  {
    name: 'raw net, fast-path headers + UUID',
    start: () =>
      child(
        'raw',
        `${shared}
import { createServer } from 'node:net';
let head = 'HTTP/1.1 200 OK\\r\\n';
for (let i = 0; i < HEADERS.length; i += 2) head += HEADERS[i] + ': ' + HEADERS[i + 1] + '\\r\\n';
head += 'connection: keep-alive\\r\\nkeep-alive: timeout=5\\r\\n';
let date = '';
const stamp = () => { date = 'date: ' + new Date().toUTCString() + '\\r\\n'; };
stamp();
setInterval(stamp, 1000).unref();
const REQUEST = 'GET /api/status HTTP/1.1\\r\\n';
createServer((socket) => {
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    for (let end = pending.indexOf('\\r\\n\\r\\n'); end !== -1; end = pending.indexOf('\\r\\n\\r\\n')) {
      const request = pending.slice(0, end);
      pending = pending.slice(end + 4);
      if (!request.startsWith(REQUEST) || /\\r\\n(content-length|transfer-encoding)\\s*:/i.test(request)) {
        socket.destroy();
        return;
      }
      socket.cork();
      socket.write(head + date + 'x-request-id: ' + randomUUID() + '\\r\\n\\r\\n', 'latin1');
      socket.write(body);
      process.nextTick(() => socket.uncork());
    }
  });
  socket.on('error', () => {});
}).listen(__PORT__, '127.0.0.1');`,
      ),
  },
];

const wrkOptions = { connections: 64, cpus: WRK_CPU, headers: { 'accept-encoding': 'br' } };
const started = [];
for (const server of servers) started.push({ ...server, ...(await server.start()) });
for (const server of started) await runWrk(server.url, { ...wrkOptions, seconds: 2 });
const results = new Map(started.map((server) => [server.name, []]));
for (let round = 0; round < Number(rounds); round += 1) {
  for (const server of started) {
    const before = treeCpuSeconds(server.proc.pid);
    const run = await runWrk(server.url, { ...wrkOptions, seconds: Number(seconds) });
    const cpu = treeCpuSeconds(server.proc.pid) - before;
    results.get(server.name).push({ rps: run.rps, us: (cpu * 1e6) / run.requests });
  }
}
const best = (runs) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
const nginx = best(results.get('nginx'));
const minUs = (runs) => Math.min(...runs.map((run) => run.us));
console.log(
  `\n${body.length} B body, ${rounds} x ${seconds} s rounds, servers on CPU ${SERVER_CPU}, wrk -t2 -c64 on CPU ${WRK_CPU}`,
);
console.log(
  table(
    ['server', 'req/s (rounds)', 'CPU µs/req (rounds)', 'vs nginx req/s', 'vs nginx at equal CPU'],
    [...results].map(([name, runs]) => [
      name,
      runs.map((run) => fmt(run.rps, 0)).join(', '),
      runs.map((run) => fmt(run.us, 1)).join(', '),
      fmt(best(runs).rps / nginx.rps, 2),
      fmt(minUs(results.get('nginx')) / minUs(runs), 2),
    ]),
  ),
);
for (const server of started) await server.proc.stop(2000);
await cleanup();
removeTemps();
