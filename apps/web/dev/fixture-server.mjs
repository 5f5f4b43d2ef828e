// Development only: serves the built dashboard (dist/web/browser) with a canned API so the page can be designed,
// screenshotted and benchmarked before / without the Nest process. Never deployed.
//   node apps/web/dev/fixture-server.mjs [port]      (0 picks a free port; prints the URL)
// or import { startFixtureServer } from it (bench/lighthouse.mjs does).
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultRoot = fileURLToPath(new URL('../../../dist/web/browser/', import.meta.url));
const DAY = 86_400_000;
const now = Date.now();
const today = Math.floor(now / DAY) * DAY;
const days = Array.from({ length: 90 }, (_, i) => new Date(today - (89 - i) * DAY).toISOString().slice(0, 10));
const iso = (ms) => new Date(ms).toISOString();

// Deterministic pseudo-random so screenshots are stable.
let seed = 42;
const rand = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

const defs = [
  { id: 'api', name: 'Public API', group: 'Core platform', base: 48, state: 'up', slo: 99.9 },
  { id: 'web', name: 'Web app', group: 'Core platform', base: 112, state: 'up', slo: 99.9 },
  { id: 'auth', name: 'Authentication', group: 'Core platform', base: 35, state: 'degraded', slo: 99.95 },
  { id: 'db', name: 'Database', group: 'Data', base: 9, state: 'up', slo: 99.99 },
  { id: 'queue', name: 'Job queue', group: 'Data', base: 21, state: 'up', slo: 99.5 },
  { id: 'cdn', name: 'CDN', group: 'Edge', base: 16, state: 'maintenance', slo: 99.9 },
];

const history = { generatedAt: iso(now), days, services: {} };
const services = defs.map((d, index) => {
  const bars = days.map((_, i) => {
    if (index === 5 && i < 20) return null; // added later: no data
    const r = rand();
    if (r > 0.97) return 97 + rand() * 2;
    if (r > 0.93) return 99.2 + rand() * 0.6;
    return 99.95 + rand() * 0.05;
  });
  if (d.id === 'auth') bars[89] = 98.7;
  const latency = Array.from({ length: 60 }, (_, i) =>
    d.id === 'auth' && i > 50
      ? d.base * 6 + rand() * 80
      : rand() > 0.985
        ? null
        : Math.round(d.base * (0.8 + rand() * 0.5)),
  );
  history.services[d.id] = { bars, latency };
  const last = latency.at(-1) ?? d.base;
  return {
    id: d.id,
    name: d.name,
    group: d.group,
    state: d.state,
    since: iso(now - (index + 1) * 3_600_000),
    paused: false,
    intervalSeconds: 30,
    lastCheck: { at: iso(now - 12_000), ok: true, latencyMs: Math.round(last), statusCode: 200 },
    uptime: { '24h': d.state === 'degraded' ? 98.7 : 100, '7d': 99.97, '30d': 99.94 - index * 0.01, '90d': 99.91 },
    slo: { target: d.slo, window: '30d', errorBudgetRemaining: d.id === 'auth' ? 18 : 92 - index * 7 },
  };
});

const activeIncidents = [
  {
    id: 'inc-42',
    title: 'Elevated login latency',
    status: 'identified',
    impact: 'minor',
    kind: 'auto',
    serviceIds: ['auth'],
    startedAt: iso(now - 40 * 60_000),
    resolvedAt: null,
    updates: [
      { at: iso(now - 40 * 60_000), status: 'investigating', message: 'Authentication checks are slower than 250 ms.' },
      {
        at: iso(now - 15 * 60_000),
        status: 'identified',
        message: 'A saturated connection pool on the session store; scaling out.',
      },
    ],
  },
];
const status = {
  generatedAt: iso(now),
  overall: 'degraded',
  services,
  activeIncidents,
  upcomingMaintenance: [
    {
      id: 'mw-7',
      title: 'CDN certificate rotation',
      serviceIds: ['cdn'],
      startsAt: iso(today + DAY + 2 * 3_600_000),
      endsAt: iso(today + DAY + 3 * 3_600_000),
      message: 'Edge certificates are rotated region by region; brief TLS handshake retries are possible.',
    },
  ],
};
const past = [
  {
    id: 'inc-41',
    title: 'Job queue backlog',
    status: 'resolved',
    impact: 'major',
    kind: 'auto',
    serviceIds: ['queue'],
    startedAt: iso(today - 3 * DAY + 9 * 3_600_000),
    resolvedAt: iso(today - 3 * DAY + 10 * 3_600_000),
    updates: [{ at: iso(today - 3 * DAY + 10 * 3_600_000), status: 'resolved', message: 'Workers caught up.' }],
  },
  {
    id: 'inc-40',
    title: 'API 5xx errors in eu-west-1',
    status: 'resolved',
    impact: 'minor',
    kind: 'manual',
    serviceIds: ['api'],
    startedAt: iso(today - 9 * DAY + 14 * 3_600_000),
    resolvedAt: iso(today - 9 * DAY + 14.5 * 3_600_000),
    updates: [],
  },
];

const detail = (id) => {
  const service = services.find((s) => s.id === id);
  if (!service) return null;
  const h = history.services[id];
  return {
    service,
    recentChecks: h.latency
      .map((l, i) => ({
        at: iso(now - (h.latency.length - i) * 30_000),
        ok: l !== null,
        latencyMs: l ?? 1000,
        statusCode: l === null ? 503 : 200,
        ...(l === null ? { error: 'HTTP 503' } : {}),
        state: service.state,
      }))
      .reverse(),
    bars: days.map((date, i) => ({
      date,
      uptime: h.bars[i],
      checks: h.bars[i] === null ? 0 : 2880,
      failures: h.bars[i] === null ? 0 : Math.round(2880 * (1 - h.bars[i] / 100)),
      avgLatencyMs: h.bars[i] === null ? null : service.lastCheck.latencyMs,
    })),
  };
};

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
};
/** Compresses like CloudFront does, so the benchmark measures what a visitor downloads (memoised: the
 * benchmark shares this process with Lighthouse and must not steal CPU from the page under test). */
const compressed = new Map();
const nullResponse = { writeHead: () => nullResponse, end: () => nullResponse };
function send(req, res, statusCode, headers, body) {
  const accept = String(req.headers['accept-encoding'] ?? '');
  const buffer = Buffer.from(body);
  const encoding =
    buffer.length <= 1024 ? null : /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
  if (encoding === null) return res.writeHead(statusCode, headers).end(buffer);
  const key = `${encoding}:${createHash('sha1').update(buffer).digest('base64')}`;
  if (!compressed.has(key)) {
    compressed.set(
      key,
      encoding === 'br'
        ? brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })
        : gzipSync(buffer, { level: 9 }),
    );
  }
  res.writeHead(statusCode, { ...headers, 'content-encoding': encoding, vary: 'accept-encoding' });
  return res.end(compressed.get(key));
}

function json(req, res, body, statusCode = 200) {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
  if (statusCode === 200 && req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag }).end();
    return;
  }
  send(req, res, statusCode, { 'content-type': 'application/json', etag, 'cache-control': 'public, s-maxage=5' }, text);
}

/** Serves `root` (default dist/web/browser) plus the canned API; resolves once listening. */
export async function startFixtureServer({ port = 0, root = defaultRoot } = {}) {
  // Compress the static files up front so no request pays for it while Lighthouse is tracing.
  for (const name of await readdir(root)) {
    if (!/\.(js|css|html)$/.test(name)) continue;
    const body = await readFile(join(root, name));
    for (const encoding of ['br', 'gzip'])
      send({ headers: { 'accept-encoding': encoding } }, nullResponse, 200, {}, body);
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/api/status') return json(req, res, { ...status });
    if (path === '/api/history') return json(req, res, history);
    if (path === '/api/incidents') return json(req, res, { items: past, nextCursor: null });
    if (path.startsWith('/api/services/')) {
      const body = detail(decodeURIComponent(path.slice('/api/services/'.length)));
      return body
        ? json(req, res, body)
        : json(req, res, { statusCode: 404, error: 'Not Found', message: 'no such service' }, 404);
    }
    if (path.startsWith('/api/')) return json(req, res, { statusCode: 404, error: 'Not Found', message: path }, 404);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    const target = file.startsWith(root) ? file : join(root, 'index.html');
    try {
      const body = await readFile(target);
      // Same caching as the S3/CloudFront deployment: hashed bundles forever, everything else revalidated.
      const immutable = /-[A-Z0-9]{8}\.(js|css)$/.test(target);
      send(
        req,
        res,
        200,
        {
          'content-type': types[extname(target)] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        },
        body,
      );
    } catch {
      send(
        req,
        res,
        200,
        { 'content-type': 'text/html', 'cache-control': 'no-cache' },
        await readFile(join(root, 'index.html')),
      );
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    );
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { url } = await startFixtureServer({ port: Number(process.argv[2] ?? 4300) });
  console.log(`fixture server on ${url}`);
}
