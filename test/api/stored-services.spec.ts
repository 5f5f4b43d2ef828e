import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LoggerService } from '@nestjs/common';
import type { AdminService } from '@app/contracts';
import { randomBytes } from 'node:crypto';
import { testDynamo } from '../support/dynamo.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

/** Every log line of the app, as "context: message". */
class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  private capture = (message: unknown, ...rest: unknown[]) =>
    void this.lines.push(`${String(rest.at(-1))}: ${String(message)}`);
  log = this.capture;
  error = this.capture;
  warn = this.capture;
  debug = this.capture;
  verbose = this.capture;
}

describe('services created through the admin API, read back at boot', () => {
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const db = testDynamo(prefix);
  const log = new CapturedLog();
  let t: TestApp;

  /** Writes a services-table item as some version of the app left it. */
  const storeRaw = (id: string, definition: string) =>
    db.client.send(
      new PutItemCommand({
        TableName: db.names.services,
        Item: { id: { S: id }, definition: { S: definition }, updatedAt: { N: '1767225600000' } },
      }),
    );

  beforeAll(async () => {
    await db.ready();
    // Written by an earlier version: its normalised shape, before recoveryThreshold and degradedOpensIncident existed.
    await storeRaw(
      'old',
      JSON.stringify({
        id: 'old',
        name: 'Old service',
        group: null,
        url: 'https://old.example.com/health',
        method: 'GET',
        intervalMs: 45_000,
        timeoutMs: 5_000,
        latencyThresholdMs: null,
        failureThreshold: 4,
        expectedStatus: [
          [200, 299],
          [301, 301],
        ],
        slo: { target: 99.5, windowDays: 7 },
        paused: true,
        source: 'api',
      }),
    );
    await storeRaw('ftp', JSON.stringify({ id: 'ftp', name: 'FTP', url: 'ftp://files.example.com/', paused: true }));
    await storeRaw('torn', '{"id":"torn","name":');
    t = await createTestApp({ tablePrefix: prefix, logger: log });
  });
  afterAll(async () => {
    db.destroy();
    await t?.close();
  });

  const get = async <T>(url: string) =>
    (await t.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } })).json<T>();

  it('gives the fields an older version did not store their defaults, like the services file', async () => {
    expect(await get<AdminService>('/api/admin/services/old')).toEqual({
      id: 'old',
      name: 'Old service',
      group: null,
      kind: 'http',
      url: 'https://old.example.com/health',
      method: 'GET',
      followRedirects: true,
      insecureTls: false,
      certExpiryWarningDays: 14,
      interval: '45s',
      timeout: '5s',
      latencyThresholdMs: null,
      failureThreshold: 4,
      recoveryThreshold: 2,
      expectedStatus: ['200-299', 301],
      slo: { target: 99.5, window: '7d' },
      degradedOpensIncident: false,
      paused: true,
      source: 'api',
      state: 'unknown',
      // An item in the older, normalised shape had every value written out: only what it lacked follows a default
      // (including the check options that did not exist then).
      defaulted: [
        'kind',
        'group',
        'latencyThresholdMs',
        'recoveryThreshold',
        'degradedOpensIncident',
        'followRedirects',
        'insecureTls',
        'certExpiryWarningDays',
      ],
      misconfigured: null,
      // Paused since it was stored: never checked by this process.
      lastCheck: null,
    });
  });

  it('skips an invalid stored item and names it, the field and the rule at boot, without crashing', async () => {
    expect((await get<AdminService[]>('/api/admin/services')).map((service) => service.id)).toEqual(['old']);
    const catalog = log.lines.filter((line) => line.startsWith('Catalog: '));
    expect(catalog).toEqual(
      expect.arrayContaining([
        'Catalog: stored service "ftp" skipped: url: "ftp://files.example.com/" must use http or https',
        expect.stringMatching(/^Catalog: stored service "torn" skipped: \(stored\): "\{\\"id\\":\\"torn\\",.* must be/),
      ]),
    );
  });
});

describe('a stored service keeps what the admin set; defaults apply when it is read', () => {
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const db = testDynamo(prefix);
  let t: TestApp;
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
    t.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const stored = async (id: string): Promise<unknown> => {
    const item = await db.client.send(new GetItemCommand({ TableName: db.names.services, Key: { id: { S: id } } }));
    return JSON.parse(item.Item?.definition?.S ?? 'null') as unknown;
  };

  beforeAll(async () => {
    await db.ready();
    t = await createTestApp({ tablePrefix: prefix });
  });
  afterAll(async () => {
    db.destroy();
    await t?.close();
  });

  it('lets PATCH shorten the interval of a service created without a timeout (the timeout follows)', async () => {
    const created = await admin('POST', '/api/admin/services', {
      id: 'shop',
      name: 'Shop',
      url: 'https://shop.example.com/health',
      interval: '30s',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json<AdminService>()).toMatchObject({ interval: '30s', timeout: '10s' });
    expect(created.json<AdminService>().defaulted).toContain('timeout');
    // Stored as written: no timeout, no defaults frozen in.
    expect(await stored('shop')).toEqual({
      id: 'shop',
      name: 'Shop',
      url: 'https://shop.example.com/health',
      interval: '30s',
    });

    const patched = await admin('PATCH', '/api/admin/services/shop', { interval: '5s' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<AdminService>()).toMatchObject({ interval: '5s', timeout: '4s' });
    expect(await stored('shop')).toEqual({
      id: 'shop',
      name: 'Shop',
      url: 'https://shop.example.com/health',
      interval: '5s',
    });
  });

  it('keeps a timeout the admin did set, and PUT (a full replacement) drops whatever the body leaves out', async () => {
    expect((await admin('PATCH', '/api/admin/services/shop', { interval: '30s', timeout: '8s' })).statusCode).toBe(200);
    const refused = await admin('PATCH', '/api/admin/services/shop', { interval: '5s' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ message: string }>().message).toBe('timeout: "8s" must be shorter than the interval (5s)');

    const replaced = await admin('PUT', '/api/admin/services/shop', {
      name: 'Shop',
      url: 'https://shop.example.com/health',
      interval: '5s',
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json<AdminService>()).toMatchObject({ interval: '5s', timeout: '4s', paused: false });
    expect(await stored('shop')).toEqual({
      id: 'shop',
      name: 'Shop',
      url: 'https://shop.example.com/health',
      interval: '5s',
    });
  });
});
