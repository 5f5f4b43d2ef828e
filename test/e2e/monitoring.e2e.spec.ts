import dynalite from 'dynalite';
import { get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { ServiceDetailResponse, StatusResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { TargetServer } from '../support/targets.js';

const services = (base: string) => `
services:
  - { id: healthy, name: Healthy, group: Core, url: "${base}/ok", interval: 1s, timeout: 900ms, failureThreshold: 2, recoveryThreshold: 2 }
  - { id: http503, name: Returns 503, group: Core, url: "${base}/fail", interval: 1s, timeout: 900ms, failureThreshold: 2 }
  - { id: slow, name: Slow, group: Core, url: "${base}/slow", interval: 1s, timeout: 900ms, latencyThresholdMs: 150, failureThreshold: 2 }
  - { id: hang, name: Never answers, url: "${base}/hang", interval: 1s, timeout: 800ms, failureThreshold: 2 }
  - { id: reset, name: Resets, url: "${base}/reset", interval: 1s, timeout: 900ms, failureThreshold: 2 }
  - { id: loop, name: Redirect loop, url: "${base}/loop", interval: 1s, timeout: 900ms, failureThreshold: 2 }
  - { id: redirect, name: One redirect, url: "${base}/redirect", interval: 1s, timeout: 900ms, failureThreshold: 2 }
  - { id: big, name: 50 MB body, url: "${base}/big", interval: 2s, timeout: 1500ms, failureThreshold: 2 }
  - { id: slowloris, name: Slowloris, url: "${base}/slowloris", interval: 1s, timeout: 900ms, failureThreshold: 2 }
`;

const expected: Record<string, { state: string; error?: RegExp }> = {
  healthy: { state: 'up' },
  http503: { state: 'down', error: /^HTTP 503$/ },
  slow: { state: 'degraded' },
  hang: { state: 'down', error: /^timeout after 800ms$/ },
  reset: { state: 'down', error: /^ECONNRESET$/ },
  loop: { state: 'down', error: /^too many redirects \(max 5\)$/ },
  redirect: { state: 'up' },
  big: { state: 'up' },
  slowloris: { state: 'down', error: /^timeout after 900ms$/ },
};

function mismatches(status: StatusResponse): string[] {
  return Object.entries(expected).flatMap(([id, want]) => {
    const service = status.services.find((candidate) => candidate.id === id);
    if (!service) return [`${id}: missing`];
    if (service.state !== want.state)
      return [`${id}: ${service.state} (last error ${service.lastCheck?.error ?? '-'})`];
    if (want.error && !want.error.test(service.lastCheck?.error ?? ''))
      return [`${id}: error ${service.lastCheck?.error ?? '-'}`];
    return [];
  });
}

describe('monitoring end to end (real process, embedded DynamoDB, local targets)', () => {
  const targets = new TargetServer();
  let app: AppProcess | null = null;

  beforeAll(async () => {
    targets.slowMs = 400;
    await targets.start();
  });

  afterAll(async () => {
    await app?.kill();
    await targets.stop();
  });

  it('shows up / down / degraded with the right reasons within interval × threshold + timeout + 1 s', async () => {
    app = await startApp({ servicesYaml: services(targets.baseUrl) });
    const started = Date.now();
    // Worst case: first dispatch waits for the next whole second (1 s), then 1 s × 2 checks + 0.9 s timeout + 1 s;
    // the 1.5 s / 2 s service (big) needs 2 s × 2 + 1.5 s + 1 s.
    const status = await waitFor(
      () => getJson<StatusResponse>(`${app!.baseUrl}/api/status`),
      (s) => mismatches(s).length === 0,
      8_000,
    );
    expect(mismatches(status)).toEqual([]);
    expect(Date.now() - started).toBeLessThanOrEqual(8_000);
    expect(status.overall).toBe('major_outage');
    const big = status.services.find((service) => service.id === 'big');
    // The 50 MB target was cut at the 1 MiB cap, not read to the end.
    expect(big?.lastCheck?.latencyMs).toBeLessThan(1500);
    // Its HTTP status is in the detail (the overview's document leaves it out).
    const detail = await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/big`);
    expect(detail.service.lastCheck?.statusCode).toBe(200);
    // The compiled app checks on its probe thread (the default), not on the main-thread fallback.
    const health = await getJson<{ details: { scheduler: { probesRunOn: string } } }>(`${app.baseUrl}/api/health`);
    expect(health.details.scheduler.probesRunOn).toBe('probe thread');
  });

  it('answers /api/status from memory with an ETag and 304 on If-None-Match', async () => {
    const first = await fetch(`${app!.baseUrl}/api/status`);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toMatch(
      /public, .*s-maxage=\d+.*stale-while-revalidate=\d+.*stale-if-error=\d+/,
    );
    const again = await fetch(`${app!.baseUrl}/api/status`, { headers: { 'if-none-match': etag! } });
    // The snapshot may have been rebuilt in between (a check finished): then, and only then, a fresh 200 with a
    // different ETag is right.
    if (again.status === 304) expect(await again.text()).toBe('');
    else
      expect({ status: again.status, changed: again.headers.get('etag') !== etag }).toEqual({
        status: 200,
        changed: true,
      });
  });

  it('sends /api/status compressed on a real socket: br and gzip decode to the identity bytes of the same snapshot', async () => {
    // node:http, not fetch: fetch would decode the body and hide what went over the wire.
    const raw = (acceptEncoding?: string) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers = acceptEncoding ? { 'accept-encoding': acceptEncoding } : {};
        httpGet(`${app!.baseUrl}/api/status`, { headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        }).on('error', reject);
      });
    for (const [coding, decode] of [
      ['br', brotliDecompressSync],
      ['gzip', gunzipSync],
    ] as const) {
      let matched = false;
      // Checks finish every second here: retry until both answers come from one snapshot.
      for (let attempt = 0; attempt < 20 && !matched; attempt += 1) {
        const identity = await raw();
        const coded = await raw(coding);
        if (coded.headers.etag !== `${identity.headers.etag!.slice(0, -1)}-${coding}"`) continue;
        matched = true;
        expect(identity.headers['content-encoding']).toBeUndefined();
        expect([coded.headers['content-encoding'], coded.headers.vary]).toEqual([coding, 'Accept-Encoding']);
        expect(Number(coded.headers['content-length'])).toBe(coded.body.length);
        expect(decode(coded.body).equals(identity.body)).toBe(true);
        expect(coded.body.length).toBeLessThan(identity.body.length);
      }
      expect({ coding, matched }).toEqual({ coding, matched: true });
    }
  });

  it('keeps history, state and counters across a restart with the same DATA_DIR', async () => {
    const before = await getJson<ServiceDetailResponse>(`${app!.baseUrl}/api/services/http503`);
    expect(before.recentChecks.length).toBeGreaterThan(0);
    expect(await app!.stop()).toBe(true);
    expect(app!.output()).toContain('embedded DynamoDB closed');

    app = await startApp({ servicesYaml: services(targets.baseUrl), dataDir: app!.dataDir });
    const after = await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/http503`);
    // Right after boot, before any new check could confirm anything, the stored state is back.
    expect(after.service.state).toBe('down');
    expect(after.service.since).toBe(before.service.since);
    expect(after.recentChecks.length).toBeGreaterThanOrEqual(before.recentChecks.length);
    expect(after.recentChecks.map((check) => check.at)).toEqual(
      expect.arrayContaining(before.recentChecks.map((check) => check.at)),
    );
    const today = after.bars[after.bars.length - 1];
    expect(today?.checks).toBeGreaterThanOrEqual(before.recentChecks.length);
    expect(today?.failures).toBe(today?.checks);
    const healthy = (await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/healthy`)).service;
    expect(healthy.state).toBe('up');
    expect(healthy.uptime['24h']).toBe(100);
    // The stop was clean: this boot found its record and checked while the recent checks loaded.
    expect(app.output()).toMatch(/clean stop at \S+: checking while recent checks load/);
  });

  it('boots the careful way after a crash: no clean-stop record survives a kill -9', async () => {
    const checksBefore = (await getJson<ServiceDetailResponse>(`${app!.baseUrl}/api/services/http503`)).bars.at(
      -1,
    )?.checks;
    await app!.kill();
    app = await startApp({ servicesYaml: services(targets.baseUrl), dataDir: app!.dataDir });
    const restarted = app;
    const booted = await waitFor(
      () => Promise.resolve(restarted.output()),
      (output) => output.includes('monitoring 9 services'),
      10_000,
    );
    expect(booted).toContain('monitoring 9 services');
    expect(booted).not.toContain('clean stop at');
    // Nothing counted twice or lost by the crash: the stored checks newer than the rollups are folded in again.
    const after = await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/http503`);
    expect(after.bars.at(-1)?.checks).toBeGreaterThanOrEqual(checksBefore ?? 0);
    expect(after.bars.at(-1)?.failures).toBe(after.bars.at(-1)?.checks);
  });

  it('refuses to start on a bad services file, naming the field, the value and the rule', async () => {
    const bad = await startApp({
      servicesYaml: `services:\n  - { id: a, name: A, url: "${targets.baseUrl}/ok", interval: 0s }\n  - { id: b, name: B, url: "http://169.254.169.254/latest/meta-data/" }\n`,
      waitHealthy: false,
    });
    const code = await new Promise<number | null>((done) => bad.child.once('exit', done));
    expect(code).toBe(1);
    expect(bad.output()).toContain('services[0].interval: "0s" must be a duration in whole seconds between 1s and 24h');
    expect(bad.output()).toMatch(
      /services\[1\]\.url: "http:\/\/169\.254\.169\.254\/latest\/meta-data\/" points at a blocked address 169\.254\.169\.254 \(link-local\)/,
    );
  });

  it('refuses to start on real DynamoDB without its tables, naming table, region and prefix (no stack trace)', async () => {
    const dynamo = (dynalite as unknown as (options: object) => Server)({ createTableMs: 0 });
    await new Promise<void>((done) => dynamo.listen(0, '127.0.0.1', done));
    try {
      const bad = await startApp({
        servicesYaml: 'services: []\n',
        env: {
          STORAGE: 'aws',
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
          AWS_REGION: 'eu-central-1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
          DYNAMODB_TABLE_PREFIX: 'prod-sp-',
        },
        waitHealthy: false,
      });
      const code = await new Promise<number | null>((done) => bad.child.once('exit', done));
      expect(code).toBe(1);
      expect(bad.output()).toMatch(
        /fatal: DynamoDB tables "prod-sp-audit", .*"prod-sp-state" do not exist in region eu-central-1 \(DYNAMODB_TABLE_PREFIX="prod-sp-"\)\. In AWS, Terraform creates the tables \(terraform\/modules\/data/,
      );
      expect(bad.output()).not.toMatch(/ResourceNotFoundException|\n\s+at /);
    } finally {
      await new Promise((done) => dynamo.close(done));
    }
  });
});
