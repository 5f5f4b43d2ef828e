import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClient } from '../support/dynamo.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';
import { API_ONE, API_TWO, CONFIG_ID, CORPUS, SERVICES_YAML, type BadCase } from './admin-corpus.js';

/** A stack frame, a dependency path or a path on the build machine: none may reach a response body. */
const INTERNALS = /\n\s*at |\bat [\w.<>]+ \(|node_modules|\/work\/|file:\/\/\/[\w/]+\.[jt]s|\.ts:\d+/;
/** An error body echoes at most 20 problems with a truncated value each: 60 KB in must not mean 60 KB out. */
const MAX_ERROR_BODY = 16 * 1024;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: { path: string; value: unknown; rule: string }[];
}

/** The token with its last character changed (never to itself: a token ending in "x" made "wrong" the token). */
function wrongToken(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`;
}

describe('admin services API refuses bad input and leaves the catalog untouched', () => {
  let t: TestApp;
  let dynamo: DynamoDBClient;
  const before: { list?: string; scan?: string; audit?: string; incidents?: string; maintenance?: string } = {};
  let incidentId = '';

  const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, json?: unknown) =>
    t.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(json === undefined ? {} : { payload: JSON.stringify(json) }),
    });

  /** The stored catalog as DynamoDB holds it: every item of <prefix>services, sorted by id, as JSON. */
  const scanServices = async () => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, never> | undefined;
    do {
      const page = await dynamo.send(
        new ScanCommand({ TableName: `${t.tablePrefix}services`, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    const id = (item: Record<string, unknown>) => (item.id as { S: string }).S;
    return JSON.stringify(items.sort((a, b) => id(a).localeCompare(id(b))));
  };

  beforeAll(async () => {
    t = await createTestApp({
      servicesYaml: SERVICES_YAML,
      // Loopback is NOT allowed here (createTestApp allows 127.0.0.0/8 by default); only a documentation range is.
      env: { TARGET_ALLOW_CIDRS: '192.0.2.0/24', ADMIN_AUTH_FAILURES_PER_MINUTE: '1000' },
    });
    dynamo = dynamoClient();
    for (const service of [API_ONE, API_TWO]) {
      const created = await admin('POST', '/api/admin/services', service);
      expect({ id: service.id, status: created.statusCode }).toEqual({ id: service.id, status: 201 });
    }
    const opened = await admin('POST', '/api/admin/incidents', {
      title: 'Corpus target',
      impact: 'minor',
      serviceIds: [API_ONE.id],
      message: 'Open while the corpus runs.',
    });
    expect(opened.statusCode).toBe(201);
    incidentId = opened.json<{ id: string }>().id;
    before.incidents = (await admin('GET', `/api/incidents/${incidentId}`)).body;
    before.maintenance = (await admin('GET', '/api/admin/maintenance')).body;
    before.list = (await admin('GET', '/api/admin/services')).body;
    before.scan = await scanServices();
    before.audit = (await admin('GET', '/api/admin/audit?limit=100')).body;
  });
  afterAll(async () => {
    dynamo?.destroy();
    await t?.close();
  });

  it('starts from one file service and two API services, all paused (so their state cannot drift)', () => {
    const list = JSON.parse(before.list!) as { id: string; source: string; state: string }[];
    expect(list.map(({ id, source, state }) => ({ id, source, state }))).toEqual([
      { id: API_ONE.id, source: 'api', state: 'unknown' },
      { id: API_TWO.id, source: 'api', state: 'unknown' },
      { id: CONFIG_ID, source: 'config', state: 'unknown' },
    ]);
    expect(JSON.parse(before.scan!)).toHaveLength(2);
    expect((JSON.parse(before.audit!) as { items: unknown[] }).items).toHaveLength(3);
  });

  it('has a corpus of at least 150 bad requests with unique names', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CORPUS.map((c) => c.name)).size).toBe(CORPUS.length);
  });

  describe.each(CORPUS.map((c) => [c.name, c] as const))('%s', (_name, c: BadCase) => {
    it(`answers ${c.status} naming ${c.field}`, async () => {
      const headers: Record<string, string | string[]> = {};
      if (c.auth === undefined) headers.authorization = `Bearer ${t.token}`;
      else if (c.auth === 'wrong') headers.authorization = `Bearer ${wrongToken(t.token)}`;
      for (const [name, value] of Object.entries(c.headers ?? {}))
        headers[name] = Array.isArray(value) ? value.map((v) => v.replace(':token', t.token)) : value;
      let payload: string | Buffer | undefined;
      if (c.body !== undefined)
        payload =
          'raw' in c.body ? c.body.raw : 'bytes' in c.body ? Buffer.from(c.body.bytes) : JSON.stringify(c.body.json);
      const contentType = c.contentType === undefined ? (c.body ? 'application/json' : undefined) : c.contentType;
      if (contentType !== undefined && contentType !== null) headers['content-type'] = contentType;

      const response = await t.inject({
        method: c.method,
        url: `${c.base ?? '/api/admin/services'}${c.path.replace(':incident', incidentId)}`,
        headers: headers as Record<string, string>,
        ...(payload === undefined ? {} : { payload }),
      });

      // The body is part of the comparison so a wrong status shows what came back instead.
      expect({ status: response.statusCode, body: response.body.slice(0, 400) }).toEqual({
        status: c.status,
        body: response.statusCode === c.status ? response.body.slice(0, 400) : '(a refusal)',
      });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json<ErrorBody>();
      expect([body.statusCode, typeof body.error, typeof body.message]).toEqual([c.status, 'string', 'string']);
      expect(body.message).toContain(c.field);
      expect(response.body).not.toMatch(INTERNALS);
      expect(response.body.length).toBeLessThanOrEqual(MAX_ERROR_BODY);
      if (c.status === 400 && !c.field.includes('not a valid URL path')) {
        expect(body.details).toEqual(expect.any(Array));
        expect(body.details!.map((detail) => detail.path)).toEqual(
          expect.arrayContaining([expect.stringContaining(c.field)]),
        );
        // Each problem appears as "path: value rule", the value JSON-encoded and cut to 80 characters.
        for (const detail of body.details!) expect(body.message).toContain(`${detail.path}: `);
        for (const { value } of body.details!) {
          expect(typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length).toBeLessThanOrEqual(
            80,
          );
        }
        if (c.echo !== undefined) expect(body.message).toContain(`${c.field}: ${c.echo}`);
      }
      if (c.status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="admin"/);
    });
  });

  it('leaves the catalog byte-for-byte unchanged: the API view and the DynamoDB items', async () => {
    expect((await admin('GET', '/api/admin/services')).body).toBe(before.list);
    expect(await scanServices()).toBe(before.scan);
  });

  it('leaves the incident and the maintenance list unchanged (nothing null or blank was stored)', async () => {
    expect((await admin('GET', `/api/incidents/${incidentId}`)).body).toBe(before.incidents);
    expect((await admin('GET', '/api/admin/maintenance')).body).toBe(before.maintenance);
    expect((await t.inject({ method: 'GET', url: '/api/incidents/feed.atom' })).statusCode).toBe(200);
  });

  it('audits none of the refused requests', async () => {
    expect((await admin('GET', '/api/admin/audit?limit=100')).body).toBe(before.audit);
  });
});

describe('SSRF policy at validation time honours TARGET_ALLOW_CIDRS', () => {
  let t: TestApp;
  const create = (id: string, url: string) =>
    t.inject({
      method: 'POST',
      url: '/api/admin/services',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ id, name: id, url, paused: true }),
    });

  beforeAll(async () => {
    t = await createTestApp({ env: { TARGET_ALLOW_CIDRS: '127.0.0.0/8, 169.254.169.254/32' } });
  });
  afterAll(() => t.close());

  it.each([
    ['loopback', 'http://127.0.0.1:8080/health'],
    ['loopback, short form', 'http://127.1/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/'],
    ['metadata, hex', 'http://0xA9FEA9FE/'],
    ['metadata, decimal', 'http://2852039166/'],
    ['metadata, octal', 'http://0251.0376.0251.0376/'],
    ['metadata, IPv4-mapped', 'http://[::ffff:169.254.169.254]/'],
    // A host name: resolved and checked by the probe at connect time, not here.
    ['a host name that resolves to the metadata address', 'http://169.254.169.254.nip.io/'],
  ])('accepts %s (%s) when its range is allowed', async (_label, url) => {
    const id = `allowed-${Buffer.from(url).toString('hex').slice(-12)}`;
    const response = await create(id, url);
    expect({ status: response.statusCode, body: response.statusCode === 201 ? '' : response.body }).toEqual({
      status: 201,
      body: '',
    });
  });

  it.each([
    ['the next link-local address', 'http://169.254.169.253/'],
    ['a private address', 'http://10.0.0.1/'],
    ['IPv6 loopback (only IPv4 loopback is allowed)', 'http://[::1]/'],
  ])('still refuses %s (%s)', async (_label, url) => {
    const response = await create('refused', url);
    expect(response.statusCode).toBe(400);
    expect(response.json<ErrorBody>().message).toMatch(/^url: .* allow it with TARGET_ALLOW_CIDRS$/);
  });
});
