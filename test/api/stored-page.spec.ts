import type { StatusResponse } from '@app/contracts';
import { DynamoPageStore } from '@app/aws';
import { MonitoringScheduler } from '@app/monitoring';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoGate } from '../support/dynamo-gate.js';
import { testDynamo } from '../support/dynamo.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';
import { TargetServer } from '../support/targets.js';

/**
 * A boot with a stored page listens before its read of every service is in: it serves that page on /api/status
 * and answers 503 elsewhere until the read is in, then serves its own. The read is held in a proxy in front of the
 * real store (the boot's reads of the state table: a Scan for this small catalog, BatchGetItem and Query).
 */
describe('a boot serves the stored status page until its own read is in', () => {
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const db = testDynamo(prefix);
  const targets = new TargetServer();
  const gate = new DynamoGate(
    process.env.TEST_DYNAMODB_ENDPOINT!,
    (operation, body) => ['Scan', 'BatchGetItem', 'Query'].includes(operation) && body.includes(`"${db.names.state}"`),
  );
  let endpoint = '';
  const apps: TestApp[] = [];
  const yaml = (extra = '') =>
    `services:\n` +
    `  - { id: api, name: API, url: "${targets.url('/ok')}", interval: 1s }\n` +
    `  - { id: web, name: Web, group: Front, url: "${targets.url('/fail')}", interval: 1s }\n` +
    `  - { id: old, name: Old, url: "http://127.0.0.1:9/", paused: true }\n${extra}`;
  const start = async (options: { servicesYaml?: string; early?: boolean } = {}) => {
    const t = await createTestApp({
      servicesYaml: options.servicesYaml ?? yaml(),
      tablePrefix: prefix,
      dynamodbEndpoint: endpoint,
      early: options.early ?? false,
    });
    apps.push(t);
    return t;
  };
  const status = async (t: TestApp) => {
    const response = await t.inject({ method: 'GET', url: '/api/status' });
    expect(response.statusCode).toBe(200);
    return response.json<StatusResponse>();
  };

  beforeAll(async () => {
    await db.ready();
    await targets.start();
    endpoint = await gate.start();
  });
  afterAll(async () => {
    gate.release();
    for (const t of apps) await t.close().catch(() => undefined);
    await gate.stop();
    await targets.stop();
    db.destroy();
  });

  let stored: StatusResponse;
  let savedAt = 0;

  it('stores the page once its services are loaded, and again at a clean stop with every check the run took', async () => {
    const first = await start();
    let page = await status(first);
    for (let tries = 0; tries < 100 && page.services.some((s) => !s.paused && s.lastCheck === null); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await status(first);
    }
    expect(page.services.find((s) => s.id === 'web')?.lastCheck).not.toBeNull();
    // The first tick after the restore stores it (this replica holds shard 0), then once a period.
    const pages = new DynamoPageStore(db.client, db.names.state);
    let periodic = await pages.load();
    for (let tries = 0; tries < 50 && periodic === null; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      periodic = await pages.load();
    }
    expect(periodic).not.toBeNull();
    // A check after that store rebuilds the page: the stop must store the newer one (an unchanged page is not
    // stored again, so without waiting the stop could meet the periodic page's own snapshot).
    for (let tries = 0; tries < 50 && Date.parse(page.generatedAt) <= periodic!.at; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await status(first);
    }
    expect(Date.parse(page.generatedAt)).toBeGreaterThan(periodic!.at);
    await first.close();
    const saved = await pages.load();
    expect(saved).not.toBeNull();
    expect(saved!.at).toBeGreaterThan(periodic!.at);
    expect(saved!.at).toBeGreaterThanOrEqual(Date.parse(page.generatedAt));
    savedAt = saved!.at;
  });

  it('serves it while the read is held, refuses the other routes, then serves its own', async () => {
    gate.close();
    const t = await start({ early: true });
    const scheduler = t.app.get(MonitoringScheduler);
    expect(scheduler.isOpen).toBe(false);
    expect(gate.heldCount).toBeGreaterThan(0);

    stored = await status(t);
    expect(stored.services.map((s) => [s.id, s.name, s.lastCheck === null]).sort()).toEqual([
      ['api', 'API', false],
      ['old', 'Old', true],
      ['web', 'Web', false],
    ]);
    expect(Date.parse(stored.generatedAt)).toBe(savedAt);
    for (const url of ['/api/services/api', '/api/history', '/api/v2/summary.json', '/api/admin/services']) {
      const refused = await t.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
      expect([url, refused.statusCode, refused.headers['retry-after']]).toEqual([url, 503, '5']);
      const body = refused.json<{ statusCode: number; message: string }>();
      expect([body.statusCode, body.message]).toEqual([
        503,
        'starting: the stored state of the services is still loading; /api/status serves the stored page',
      ]);
    }
    expect((await t.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(503);

    // Over the socket it listens on meanwhile: the fast path hands every request to Fastify until the read is in.
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const overSocket = await fetch(`${base}/api/status`, { headers: { 'accept-encoding': 'br' } });
    expect(overSocket.status).toBe(200);
    expect(((await overSocket.json()) as StatusResponse).generatedAt).toBe(stored.generatedAt);
    expect((await fetch(`${base}/api/history`)).status).toBe(503);

    gate.release();
    await t.booted;
    expect(scheduler.isOpen).toBe(true);
    const live = await status(t);
    expect(Date.parse(live.generatedAt)).toBeGreaterThan(Date.parse(stored.generatedAt));
    expect(live.services.map((s) => s.id)).toEqual(stored.services.map((s) => s.id));
    expect((await t.inject({ method: 'GET', url: '/api/services/api' })).statusCode).toBe(200);
    expect((await fetch(`${base}/api/history`)).status).toBe(200);
    await t.close();
  });

  it('does not serve a page stored for other services: the boot waits for its read as without one', async () => {
    gate.close();
    const booting = start({
      servicesYaml: yaml(`  - { id: new, name: New, url: "http://127.0.0.1:9/", paused: true }\n`),
      early: true,
    });
    const first = await Promise.race([booting.then(() => 'booted'), new Promise((r) => setTimeout(r, 1500, 'held'))]);
    expect(first).toBe('held');
    gate.release();
    const t = await booting;
    await t.booted;
    expect(t.app.get(MonitoringScheduler).isOpen).toBe(true);
    expect((await status(t)).services.map((s) => s.id).sort()).toEqual(['api', 'new', 'old', 'web']);
    await t.close();
  });
});
