import { createTestApp, type TestApp } from '../support/in-process-app.js';

/** Fills :params so every registered admin route can be called. */
const concrete = (url: string) => url.replace(/:(\w+)/g, 'x-$1');

describe('admin authentication (deny by default)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_AUTH_FAILURES_PER_MINUTE: '1000' } });
  });
  afterAll(() => t.close());

  it('registers admin routes for services and audit', () => {
    const admin = t.routes.filter((route) => route.url.startsWith('/api/admin'));
    expect(admin.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining([
        'GET /api/admin/services',
        'POST /api/admin/services',
        'DELETE /api/admin/services/:id',
        'GET /api/admin/audit',
      ]),
    );
  });

  it('answers 401 with WWW-Authenticate on every admin route without a token or with a wrong one', async () => {
    const admin = t.routes.filter(
      (route) => route.url.startsWith('/api/admin') && route.method !== 'HEAD' && route.method !== 'OPTIONS',
    );
    expect(admin.length).toBeGreaterThanOrEqual(7);
    for (const route of admin) {
      const method = route.method as 'GET';
      for (const authorization of [
        undefined,
        'Bearer wrong-token',
        `Bearer ${t.token}x`,
        t.token,
        'Basic YWRtaW46YWRtaW4=',
      ]) {
        const response = await t.inject({
          method,
          url: concrete(route.url),
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          ...(method === 'GET' || (method as string) === 'DELETE' ? {} : { payload: '{}' }),
        });
        expect({ route: `${route.method} ${route.url}`, authorization, status: response.statusCode }).toEqual({
          route: `${route.method} ${route.url}`,
          authorization,
          status: 401,
        });
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="admin"/);
        expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    }
  });

  it('keeps the public surface to the read API, health and docs', () => {
    // Any route outside this list must be an admin route: a new public route needs an explicit decision here.
    const publicUrls = t.routes
      .filter(
        (route) =>
          route.url.startsWith('/api') && !route.url.startsWith('/api/admin') && !route.url.startsWith('/api/docs'),
      )
      .map((route) => route.url);
    expect([...new Set(publicUrls)].sort()).toEqual(
      [
        '/api/badges/:file',
        '/api/badges/:serviceId/uptime.svg',
        '/api/health',
        // Heartbeat pings: the token in the path is the credential; the answer says nothing but "recorded".
        '/api/heartbeat/:token',
        '/api/history',
        '/api/incidents',
        '/api/incidents/:id',
        '/api/incidents/feed.atom',
        '/api/openapi.json',
        '/api/services/:id',
        '/api/status',
        '/api/subscriptions',
        '/api/v2/components.json',
        '/api/v2/incidents.json',
        '/api/v2/incidents/unresolved.json',
        '/api/v2/scheduled-maintenances.json',
        '/api/v2/scheduled-maintenances/active.json',
        '/api/v2/scheduled-maintenances/upcoming.json',
        '/api/v2/status.json',
        '/api/v2/summary.json',
      ].sort(),
    );
  });

  it('accepts the right token', async () => {
    const response = await t.inject({
      method: 'GET',
      url: '/api/admin/services',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
  });

  it('serves the OpenAPI document with the bearer scheme on admin routes', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: object };
    }>();
    expect(document.components.securitySchemes).toHaveProperty('bearer');
    expect(document.paths['/api/admin/services']?.post?.security).toEqual([{ bearer: [] }]);
    // Public operations say so explicitly: an empty security requirement.
    expect(document.paths['/api/status']?.get?.security).toEqual([]);
  });

  it('sets security headers and a request id, and never leaks a stack trace', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/services/does-not-exist' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
    expect(response.body).not.toMatch(/\bat \w|node_modules|\/work\//);
  });
});

describe('admin authentication rate limit (per client IP, proxy-aware)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_AUTH_FAILURES_PER_MINUTE: '5', TRUST_PROXY_HOPS: '1' } });
  });
  afterAll(() => t.close());

  const call = (ip: string, token: string) =>
    t.inject({
      method: 'GET',
      url: '/api/admin/services',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip },
    });

  it('answers 429 after repeated bad tokens, while a good token still works from that client and any other', async () => {
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await call('203.0.113.5', 'nope')).statusCode).toBe(401);
    const blocked = await call('203.0.113.5', 'nope');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // The blocked address still gets in with the right token (issue 15: a NAT must not lock an admin out) ...
    expect((await call('203.0.113.5', t.token)).statusCode).toBe(200);
    expect((await call('203.0.113.5', 'nope')).statusCode).toBe(429);
    // ... and nobody else is locked out.
    expect((await call('198.51.100.7', t.token)).statusCode).toBe(200);
  });
});

describe('X-Forwarded-For is ignored unless proxy hops are configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { ADMIN_AUTH_FAILURES_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('counts spoofed addresses as the real peer', async () => {
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const response = await t.inject({
        method: 'GET',
        url: '/api/admin/audit',
        headers: { authorization: 'Bearer x', 'x-forwarded-for': `192.0.2.${attempt}` },
      });
      expect(response.statusCode).toBe(401);
    }
    const fourth = await t.inject({
      method: 'GET',
      url: '/api/admin/audit',
      headers: { authorization: 'Bearer x', 'x-forwarded-for': '192.0.2.99' },
    });
    expect(fourth.statusCode).toBe(429);
  });
});
