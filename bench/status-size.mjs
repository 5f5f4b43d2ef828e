// Bytes per service of /api/status (identity, gzip, br as the app sends them) at 1,000 services with realistic
// ids, names and groups: a mix of products, regions and groups, one in ten without a group, one in ten with its
// own SLO, 2 % paused and 3 % failing (connection refused, so their last check carries an error and a reason).
// No wrk: the body is what is measured, so one boot and a few requests are enough.
import { get as httpGet } from 'node:http';
import { startApp, startTarget, tempDir } from './app.mjs';
import { freePort, getJson, sleep } from './lib.mjs';

const PRODUCTS = [
  'Checkout',
  'Payments',
  'Search',
  'Accounts',
  'Login',
  'Orders',
  'Inventory',
  'Notifications',
  'Billing',
  'Reports',
  'Media uploads',
  'Catalog',
  'Shipping rates',
  'Reviews',
  'Webhooks',
  'Analytics',
  'Customer portal',
  'Partner API',
  'Mobile backend',
  'Help center',
];
const PARTS = ['API', 'website', 'worker', 'gateway', 'admin', 'CDN', 'GraphQL', 'sync'];
const REGIONS = ['EU', 'US', 'APAC', 'eu-west-1', 'us-east-1'];
const GROUPS = ['Core platform', 'Payments', 'Customer-facing', 'Internal tools', 'Data pipeline', 'Partners'];

const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Deterministic realistic catalog: index → { id, name, group?, paused?, failing?, slo? }. */
export function realisticServices(count) {
  const services = [];
  for (let index = 0; index < count; index += 1) {
    const product = PRODUCTS[index % PRODUCTS.length];
    const part = PARTS[Math.floor(index / PRODUCTS.length) % PARTS.length];
    const region = REGIONS[Math.floor(index / (PRODUCTS.length * PARTS.length)) % REGIONS.length];
    // Services repeat per region (one in three named with its region), as status pages of multi-region setups do.
    const name = index % 3 === 0 ? `${product} ${part} (${region})` : `${product} ${part}`;
    services.push({
      id: `${slug(product)}-${slug(part)}-${index}`,
      name,
      group: index % 10 === 9 ? null : GROUPS[index % GROUPS.length],
      paused: index % 50 === 7,
      failing: index % 33 === 5,
      slo: index % 10 === 3 ? { target: 99.5, window: '7d' } : null,
    });
  }
  return services;
}

function yamlOf(services, targetBase, refusedBase, interval) {
  const lines = ['services:'];
  services.forEach((service, index) => {
    lines.push(`  - id: ${service.id}`, `    name: ${JSON.stringify(service.name)}`);
    if (service.group !== null) lines.push(`    group: ${JSON.stringify(service.group)}`);
    lines.push(
      `    url: "${service.failing ? refusedBase : targetBase}/s/${index}"`,
      `    interval: "${interval}"`,
      `    timeout: "5s"`,
    );
    if (service.paused) lines.push('    paused: true');
    if (service.slo !== null) lines.push(`    slo: { target: ${service.slo.target}, window: "${service.slo.window}" }`);
  });
  return `${lines.join('\n')}\n`;
}

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

export async function statusSizeRun({ services = 1000, interval = '20s', log }) {
  const dir = tempDir('size');
  const target = await startTarget();
  const catalog = realisticServices(services);
  // A free port nobody listens on: connection refused at once.
  const refusedBase = `http://127.0.0.1:${await freePort()}`;
  log(`  size: booting the app with ${services} realistic services (embedded DynamoDB)`);
  // 20 s as in the statusbr step: the embedded store keeps up with 50 checks/s on a shared 2-core box.
  const app = await startApp({
    servicesYaml: yamlOf(catalog, target.base, refusedBase, interval),
    dataDir: dir,
    healthyTimeoutMs: 120_000,
  });
  const deadline = Date.now() + 30_000 + services * 30;
  let doc;
  for (;;) {
    doc = (await getJson(`${app.base}/api/status`)).json;
    const checked = doc.services.filter((service) => service.lastCheck !== null).length;
    const expected = catalog.filter((service) => !service.paused).length;
    if (doc.services.length === services && checked >= expected) break;
    if (Date.now() > deadline) throw new Error(`only ${checked} of ${expected} services were checked in time`);
    await sleep(250);
  }
  // One request per coding right after another, so all three are the same snapshot (compared by ETag).
  const identity = await rawGet(`${app.base}/api/status`, {});
  const gzip = await rawGet(`${app.base}/api/status`, { 'accept-encoding': 'gzip' });
  const br = await rawGet(`${app.base}/api/status`, { 'accept-encoding': 'br' });
  const sameSnapshot = [gzip, br].every(
    (answer) => answer.headers.etag?.replace(/-(gzip|br)"$/, '"') === identity.headers.etag,
  );
  const parsed = JSON.parse(identity.body.toString('utf8'));
  const servicesBytes = Buffer.byteLength(JSON.stringify(parsed.services));
  const failing = parsed.services.find((service) => service.lastCheck?.ok === false);
  const sample = {
    up: parsed.services.find((service) => service.lastCheck?.ok === true) ?? null,
    failing: failing ?? null,
  };
  const detail = await rawGet(`${app.base}/api/services/${encodeURIComponent(catalog[0].id)}`, {});
  await app.proc.stop(10_000);
  await target.proc.stop(5000);
  return {
    services,
    identityBytes: identity.body.length,
    gzipBytes: gzip.body.length,
    brBytes: br.body.length,
    gzipEncoding: gzip.headers['content-encoding'] ?? 'identity',
    brEncoding: br.headers['content-encoding'] ?? 'identity',
    sameSnapshot,
    perService: identity.body.length / services,
    servicesArrayPerService: servicesBytes / services,
    envelopeBytes: identity.body.length - servicesBytes,
    detailBytes: detail.body.length,
    sample,
  };
}
