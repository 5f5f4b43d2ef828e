import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusResponse } from '@app/contracts';
import { startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { DynamoGate } from '../support/dynamo-gate.js';
import { TargetServer } from '../support/targets.js';

/**
 * The compiled app as a process on a DynamoDB whose boot reads of the `state` table can be held (a proxy in front
 * of dynalite): after a clean stop stored the page, the next process listens while its read is held, serves that
 * page on /api/status, 503 on the rest and on /api/health, and everything once the read is let through.
 */
describe('a restarted process serves the stored page while its read is held (compiled app)', () => {
  const targets = new TargetServer();
  const dynamo = (dynalite as unknown as (options: object) => Server)({ createTableMs: 0 });
  let gate: DynamoGate;
  let app: AppProcess | undefined;
  let env: Record<string, string>;
  const yaml = () =>
    `services:\n  - { id: api, name: API, url: "${targets.url('/ok')}", interval: 1s }\n` +
    `  - { id: web, name: Web, url: "${targets.url('/fail')}", interval: 1s }\n`;

  beforeAll(async () => {
    await targets.start();
    await new Promise<void>((done) => dynamo.listen(0, '127.0.0.1', done));
    gate = new DynamoGate(
      `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
      (operation, body) => ['Scan', 'BatchGetItem', 'Query'].includes(operation) && body.includes('"e2e-page-state"'),
    );
    env = {
      AWS_ENDPOINT_URL_DYNAMODB: await gate.start(),
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      DYNAMODB_TABLE_PREFIX: 'e2e-page-',
    };
  });
  afterAll(async () => {
    gate.release();
    await app?.kill();
    await gate.stop();
    await new Promise((done) => dynamo.close(done));
    await targets.stop();
  });

  it('stores the page at a clean stop and serves it on the next start until the read is in', async () => {
    app = await startApp({ servicesYaml: yaml(), env });
    const checked = await waitFor(
      async () => (await (await fetch(`${app!.baseUrl}/api/status`)).json()) as StatusResponse,
      (page) => page.services.every((service) => service.lastCheck !== null),
      10_000,
    );
    expect(checked.services.every((service) => service.lastCheck !== null)).toBe(true);
    expect(await app.stop()).toBe(true);

    gate.close();
    app = await startApp({ servicesYaml: yaml(), env, waitHealthy: false });
    const base = app.baseUrl;
    const first = await waitFor(
      () => fetch(`${base}/api/status`).catch(() => null),
      (response) => response?.status === 200,
      20_000,
    );
    expect(first?.status).toBe(200);
    const stored = (await first!.json()) as StatusResponse;
    expect(stored.services.map((service) => [service.id, service.lastCheck !== null])).toEqual([
      ['api', true],
      ['web', true],
    ]);
    expect(gate.heldCount).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/health`)).status).toBe(503);
    const refused = await fetch(`${base}/api/services/api`);
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '5']);
    expect(app.output()).toContain('serving the stored status page while the stored state of 2 services loads');

    gate.release();
    const healthy = await waitFor(
      () => fetch(`${base}/api/health`),
      (response) => response.status === 200,
      20_000,
    );
    expect(healthy.status).toBe(200);
    expect((await fetch(`${base}/api/services/api`)).status).toBe(200);
    const live = (await (await fetch(`${base}/api/status`)).json()) as StatusResponse;
    expect(Date.parse(live.generatedAt)).toBeGreaterThan(Date.parse(stored.generatedAt));
    expect(await app.stop()).toBe(true);
    app = undefined;
  });
});
