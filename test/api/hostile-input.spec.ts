import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiError } from '@app/contracts';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

/**
 * The defect classes of the outside probe (issue 15) that the app answers in-process: API paths that fell through
 * to the dashboard, Authorization parsing, loose input bytes, weak ETags. Each describe is one class.
 */

const SERVICES_YAML = `services:
  - { id: shop, name: Shop, url: "http://127.0.0.1:9/", paused: true }
`;

describe('an /api path that matches no route answers the JSON 404, never the dashboard', () => {
  let t: TestApp;

  beforeAll(async () => {
    const web = mkdtempSync(join(tmpdir(), 'status-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dashboard</title><!--dashboard-->');
    t = await createTestApp({ servicesYaml: SERVICES_YAML, env: { WEB_DIR: web } });
  });
  afterAll(() => t.close());

  it.each([
    '//api/admin/services',
    '///api/status',
    '/API/admin/services',
    '/Api/status',
    '/api;/admin/services',
    '/api;x=1/status',
    '/api%2fadmin%2fservices',
    '/api%2Fstatus',
    '/api/nope',
    '/api',
    '/api/',
    '/api/admin',
    '/api/admin/services/shop/extra',
  ])('GET %s → 404 JSON', async (url) => {
    const response = await t.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
    expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({
      status: 404,
      type: expect.stringMatching(/^application\/json/) as unknown,
    });
    expect(response.json<ApiError>()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect(response.body).not.toContain('<!--dashboard-->');
  });

  // The router itself decodes "%61" and the URL parser resolves "." segments: these reach the real route.
  it.each(['/%61pi/admin/services', '/./api/admin/services', '/api/./admin/services', '/api/admin/./services'])(
    'GET %s → the API route itself (JSON), never the dashboard',
    async (url) => {
      const response = await t.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
      expect([200, 404]).toContain(response.statusCode);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).not.toContain('<!--dashboard-->');
    },
  );

  it.each(['/', '/history', '/history/', '/services/shop', '/services/shop/', '/admin', '/admin/services/shop/edit'])(
    'serves the dashboard for the page route %s',
    async (url) => {
      const response = await t.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<!--dashboard-->');
    },
  );

  // A page that does not exist is a 404 — with the dashboard, whose not-found view says so to a person.
  it.each(['/services', '/services/a/b', '/services/nobody', '/incidents/inc-123', '/random/page', '/administrator'])(
    'answers 404 with the dashboard (its not-found view) for %s, which is no page',
    async (url) => {
      const response = await t.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<!--dashboard-->');
    },
  );

  it.each(['/wp-login.php', '/assets/app-OLD12345.js', '/admin/app.js', '/favicon.ico'])(
    'answers a JSON 404 (never index.html) for %s, which looks like a file',
    async (url) => {
      const response = await t.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).not.toContain('<!--dashboard-->');
    },
  );
});

describe('raw request targets on a real socket (no client-side URL normalisation)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    const web = mkdtempSync(join(tmpdir(), 'status-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dashboard</title><!--dashboard-->');
    t = await createTestApp({ servicesYaml: SERVICES_YAML, env: { WEB_DIR: web } });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  /** Sends the request line exactly as written and returns the status line, content type and body. */
  const raw = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () =>
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`,
        ),
      );
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });

  it.each([
    '//api/admin/services',
    '/./api/admin/services',
    '/api/./admin/services',
    '/%2e/api/status',
    '/api;/admin/services',
    '/API/admin/services',
    '/api%2fadmin%2fservices',
    '/api/admin//services',
  ])('GET %s is answered by the API in JSON, never by the dashboard', async (target) => {
    const response = await raw(target);
    expect(response).toMatch(/^HTTP\/1\.1 (200|404) /);
    expect(response).toMatch(/\r\ncontent-type: application\/json/i);
    expect(response).not.toContain('<!--dashboard-->');
  });
});

describe('Authorization parsing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY_HOPS: '1' } });
  });
  afterAll(() => t.close());

  const call = (authorization: string | string[], ip = '198.51.100.1') =>
    t.inject({
      method: 'GET',
      url: '/api/admin/services',
      // An array is sent as that many Authorization headers (light-my-request fills rawHeaders like Node does).
      headers: { authorization: authorization as string, 'x-forwarded-for': ip },
    });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('takes the scheme "%s" (case-insensitive, RFC 9110)', async (s) => {
    expect((await call(`${s} ${t.token}`)).statusCode).toBe(200);
  });

  it('refuses two Authorization headers with 400 naming the header, whichever comes first', async () => {
    for (const pair of [
      [`Bearer ${t.token}`, 'Bearer wrong'],
      ['Bearer wrong', `Bearer ${t.token}`],
      [`Bearer ${t.token}`, `Bearer ${t.token}`],
    ]) {
      const response = await call(pair, '198.51.100.2');
      expect(response.statusCode).toBe(400);
      expect(response.json<ApiError>().message).toContain('authorization');
    }
  });

  it('lets a valid token through from an address that is blocked for failed attempts, and keeps failures at 429', async () => {
    const ip = '203.0.113.9';
    for (let attempt = 1; attempt <= 3; attempt += 1) expect((await call('Bearer nope', ip)).statusCode).toBe(401);
    expect((await call('Bearer nope', ip)).statusCode).toBe(429);
    // Anyone behind the same NAT with the real token is not locked out ...
    expect((await call(`Bearer ${t.token}`, ip)).statusCode).toBe(200);
    // ... while the failures stay limited.
    const again = await call('Bearer still-wrong', ip);
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('loose input bytes are refused with a field error', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ servicesYaml: SERVICES_YAML, env: { ADMIN_AUTH_FAILURES_PER_MINUTE: '1000' } });
  });
  afterAll(() => t.close());

  const post = (payload: string | Buffer, headers: Record<string, string> = {}, url = '/api/admin/services') =>
    t.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...headers },
      payload,
    });
  const valid = (id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id, name: 'X', url: 'https://example.com/', paused: true, ...extra });

  it('refuses invalid UTF-8 (400, not stored as U+FFFD)', async () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"utf","name":"a'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","url":"https://example.com/"}'),
    ]);
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(response.json<ApiError>().details).toEqual([
      expect.objectContaining({ path: '(body)', rule: expect.stringContaining('UTF-8') as unknown }),
    ]);
  });

  it.each(['utf-7', 'latin1', 'ISO-8859-1', 'utf-16', '"utf-16le"'])('refuses charset=%s with 415', async (charset) => {
    const response = await post(valid('cs'), { 'content-type': `application/json; charset=${charset}` });
    expect(response.statusCode).toBe(415);
    expect(response.json<ApiError>().details).toEqual([
      expect.objectContaining({ path: 'content-type', rule: expect.stringContaining('utf-8') as unknown }),
    ]);
  });

  it.each(['utf-8', 'UTF-8', '"utf-8"', 'utf8'])('takes charset=%s', async (charset) => {
    const id = `cs-${charset.replace(/\W/g, '').toLowerCase()}-${Math.random().toString(36).slice(2, 6)}`;
    const response = await post(valid(id), { 'content-type': `application/json; charset=${charset}` });
    expect(response.statusCode).toBe(201);
  });

  it.each(['gzip', 'deflate', 'br', 'identity, gzip'])('refuses Content-Encoding: %s with 415', async (encoding) => {
    const response = await post(valid('enc'), { 'content-encoding': encoding });
    expect(response.statusCode).toBe(415);
    expect(response.json<ApiError>().details).toEqual([
      expect.objectContaining({ path: 'content-encoding', value: encoding }),
    ]);
  });

  it.each([
    ['a top-level key', '{"id":"dup","name":"A","name":"B","url":"https://example.com/"}', 'name'],
    ['a key written with an escape', '{"id":"dup","name":"A","n\\u0061me":"B","url":"https://example.com/"}', 'name'],
    [
      'a nested key',
      '{"id":"dup","name":"A","url":"https://example.com/","slo":{"target":99,"target":98}}',
      'slo.target',
    ],
  ])('refuses a duplicate JSON key (%s) naming its path', async (_label, payload, path) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json<ApiError>().details).toEqual([
      expect.objectContaining({ path, rule: expect.stringContaining('more than once') as unknown }),
    ]);
  });

  it('still takes the same key in two different objects', async () => {
    const payload = valid('dup-ok', { slo: { target: 99, window: '30d' }, expectedStatus: [200, 201] });
    expect((await post(payload)).statusCode).toBe(201);
  });

  it.each([
    ['name', '   '],
    ['name', '\t\n'],
    ['name', 'Shop\u0000'],
    ['name', 'Shop\nInjected'],
    ['name', 'Shop\u001b[31m'],
    ['name', 'Shop\u0085'],
    ['name', 'Shop\u2028x'],
    ['name', '\u202eShop'],
    ['group', ' '],
    ['group', 'Core\r\n'],
  ])('refuses %s %j (whitespace only or a control character)', async (field, value) => {
    const response = await post(valid(`ctl-${Math.random().toString(36).slice(2, 8)}`, { [field]: value }));
    expect(response.statusCode).toBe(400);
    expect(response.json<ApiError>().details?.map((detail) => detail.path)).toEqual([field]);
  });

  it.each([
    ['title', '  '],
    ['title', 'Down\u0007'],
    ['message', ' \n '],
    ['message', 'Bad\u0000byte'],
  ])('refuses an incident %s of %j', async (field, value) => {
    const body = { title: 'Down', impact: 'minor', serviceIds: [], message: 'Looking.', [field]: value };
    const response = await post(JSON.stringify(body), {}, '/api/admin/incidents');
    expect(response.statusCode).toBe(400);
    expect(response.json<ApiError>().details?.map((detail) => detail.path)).toEqual([field]);
  });

  it('keeps line breaks and tabs in incident messages', async () => {
    const body = { title: 'Down', impact: 'minor', serviceIds: [], message: 'Line one.\nLine two.\r\n\tIndented.' };
    const response = await post(JSON.stringify(body), {}, '/api/admin/incidents');
    expect(response.statusCode).toBe(201);
  });

  it.each([
    'https://example.com/\r\nX-Injected: 1',
    'https://exa\tmple.com/',
    'https://example.com/a\nb',
    ' https://example.com/',
    'https://example.com/ ',
    'https://example.com/a b',
    'https://example.com/\u0000',
  ])('refuses the URL %j instead of letting URL parsing rewrite it', async (url) => {
    const response = await post(valid(`url-${Math.random().toString(36).slice(2, 8)}`, { url }));
    expect(response.statusCode).toBe(400);
    expect(response.json<ApiError>().details?.map((detail) => detail.path)).toEqual(['url']);
  });
});

describe('weak ETags (W/"…") are honoured on every ETag route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ servicesYaml: SERVICES_YAML });
    const created = await t.inject({
      method: 'POST',
      url: '/api/admin/incidents',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'Down', impact: 'minor', serviceIds: ['shop'], message: 'Looking.' }),
    });
    expect(created.statusCode).toBe(201);
    incidentId = created.json<{ id: string }>().id;
  });
  afterAll(() => t.close());
  let incidentId = '';

  const routes = () => [
    '/api/status',
    '/api/history',
    '/api/services/shop',
    '/api/incidents',
    `/api/incidents/${incidentId}`,
    '/api/incidents/feed.atom',
    '/api/badges/shop.svg',
    '/api/badges/shop/uptime.svg',
  ];

  it('answers 304 to the weak form of the current ETag, alone or in a list, on every route', async () => {
    for (const url of routes()) {
      const first = await t.inject({ method: 'GET', url });
      const etag = first.headers.etag as string;
      expect({ url, etag }).toEqual({ url, etag: expect.stringMatching(/^"[^"]+"$/) as unknown });
      for (const header of [`W/${etag}`, `"other", W/${etag}`, `W/"other",W/${etag}`, etag, '*']) {
        const again = await t.inject({ method: 'GET', url, headers: { 'if-none-match': header } });
        expect({ url, header, status: again.statusCode }).toEqual({ url, header, status: 304 });
      }
      const other = await t.inject({ method: 'GET', url, headers: { 'if-none-match': 'W/"other"' } });
      expect({ url, status: other.statusCode }).toEqual({ url, status: 200 });
    }
  });
});
