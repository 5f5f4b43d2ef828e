import type { LoggerService } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import type { AdminIdentity, AdminService, IncidentPage, StatusResponse } from '@app/contracts';
import { ServicesFileReloader } from '../../apps/api/src/config/services-file-reloader.js';
import { ConfigurationError, loadConfiguration } from '../../apps/api/src/config/configuration.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

/** Host names as the tests' resolver answers them (no DNS): one public, two internal, one that does not resolve. */
const HOSTS: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'internal.example': ['10.0.0.5'],
  'metadata.example': ['93.184.216.34', '169.254.169.254'],
};
const lookup = (host: string): Promise<string[]> => {
  const addresses = HOSTS[host];
  return addresses ? Promise.resolve(addresses) : Promise.reject(Object.assign(new Error(host), { code: 'ENOTFOUND' }));
};

class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  private capture = (message: unknown) => void this.lines.push(String(message));
  log = this.capture;
  error = this.capture;
  warn = this.capture;
  debug = this.capture;
  verbose = this.capture;
}

describe('host names are resolved when a service is validated (SSRF), not only at connect time', () => {
  let t: TestApp;
  const post = (body: unknown) =>
    t.inject({
      method: 'POST',
      url: '/api/admin/services',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await createTestApp({ lookup, env: { TARGET_ALLOW_CIDRS: '' } });
  });
  afterAll(() => t.close());

  it('refuses a name that resolves to a private address with the same rule as the literal address', async () => {
    const byName = await post({ id: 'a', name: 'A', url: 'http://internal.example/health' });
    const byAddress = await post({ id: 'b', name: 'B', url: 'http://10.0.0.5/health' });
    expect(byName.statusCode).toBe(400);
    expect(byName.json<{ details: unknown }>().details).toEqual([
      {
        path: 'url',
        value: 'http://internal.example/health',
        rule: 'points at a blocked address 10.0.0.5 (private), which internal.example resolves to; allow it with TARGET_ALLOW_CIDRS',
      },
    ]);
    expect(byAddress.json<{ details: { rule: string }[] }>().details[0]?.rule).toBe(
      'points at a blocked address 10.0.0.5 (private); allow it with TARGET_ALLOW_CIDRS',
    );
    // One blocked address among several is enough (the probe would connect to any of them).
    expect((await post({ id: 'c', name: 'C', url: 'http://metadata.example/' })).statusCode).toBe(400);
  });

  it('accepts a public name, and a name that does not resolve now (checked again at connect time)', async () => {
    expect((await post({ id: 'ok', name: 'OK', url: 'https://public.example/' })).statusCode).toBe(201);
    expect((await post({ id: 'later', name: 'Later', url: 'https://not-yet.example/' })).statusCode).toBe(201);
  });

  it('stops boot with the same line for a services-file entry', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/dns-boot-`);
    writeFileSync(
      `${dir}/services.yaml`,
      'services:\n  - { id: a, name: A, url: "http://internal.example/" }\n  - { id: b, name: "", url: "https://public.example/" }\n',
    );
    const boot = loadConfiguration({ STATUS_CONFIG: `${dir}/services.yaml` }, { lookup });
    await expect(boot).rejects.toThrow(ConfigurationError);
    // Every problem of the file in one run: the DNS one and the others, in file order.
    await expect(boot).rejects.toThrow(
      'services[0].url: "http://internal.example/" points at a blocked address 10.0.0.5 (private), which internal.example resolves to; allow it with TARGET_ALLOW_CIDRS\n  - services[1].name: "" must be 1-100 characters',
    );
  });
});

describe('a target refused at check time is a misconfiguration for admins, never a public outage', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The validation-time lookup says public; the probe's own lookup at connect time finds 127.0.0.1 (DNS changed).
    t = await createTestApp({
      lookup: () => Promise.resolve(['93.184.216.34']),
      env: { TARGET_ALLOW_CIDRS: '' },
      servicesYaml:
        'services:\n  - { id: moved, name: Moved, url: "http://localhost:9/", interval: 1s, timeout: 500ms, failureThreshold: 1 }\n',
    });
  });
  afterAll(() => t.close());

  it('shows "unknown" publicly, opens no incident, and tells admins why', async () => {
    const deadline = Date.now() + 10_000;
    let admin: AdminService | null = null;
    while (Date.now() < deadline) {
      admin = (
        await t.inject({
          method: 'GET',
          url: '/api/admin/services/moved',
          headers: { authorization: `Bearer ${t.token}` },
        })
      ).json<AdminService>();
      if (admin.misconfigured !== null) break;
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(admin?.misconfigured).toBe('blocked target 127.0.0.1');
    await new Promise((done) => setTimeout(done, 2500)); // more refused checks: still no outage
    const status = (await t.inject({ method: 'GET', url: '/api/status' })).json<StatusResponse>();
    expect(status.services[0]).toMatchObject({ id: 'moved', state: 'unknown', lastCheck: null });
    expect(status.overall).toBe('operational');
    expect(status.activeIncidents).toEqual([]);
    expect((await t.inject({ method: 'GET', url: '/api/incidents' })).json<IncidentPage>().items).toEqual([]);
  });
});

describe('badges and the feed are for other sites: cross-origin and cacheable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      servicesYaml: 'services:\n  - { id: api, name: API, url: "http://127.0.0.1:9/", paused: true }\n',
    });
  });
  afterAll(() => t.close());

  it.each([
    ['/api/badges/api.svg', /^image\/svg\+xml/],
    ['/api/badges/api/uptime.svg', /^image\/svg\+xml/],
    ['/api/incidents/feed.atom', /^application\/atom\+xml/],
  ])('%s', async (url, type) => {
    const response = await t.inject({ method: 'GET', url, headers: { origin: 'https://readme.example' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(type);
    expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['cache-control']).toMatch(
      /^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+, stale-if-error=86400$/,
    );
    expect(response.headers.etag).toBeDefined();
  });

  it('keeps the page itself same-origin', async () => {
    const response = await t.inject({ method: 'GET', url: '/api/status' });
    expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('admin API for the console: who am I, incidents uncached', () => {
  let t: TestApp;
  const get = (url: string) => t.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers who the token is, and 401 without one', async () => {
    const me = await get('/api/admin/whoami');
    expect(me.statusCode).toBe(200);
    expect(me.json<AdminIdentity>().actor).toMatch(/^[0-9a-f]{12}$/);
    expect(me.headers['cache-control']).toBe('no-store');
    expect((await t.inject({ method: 'GET', url: '/api/admin/whoami' })).statusCode).toBe(401);
  });

  it('lists and reads incidents with the cursor, never cached', async () => {
    const created = await t.inject({
      method: 'POST',
      url: '/api/admin/incidents',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'Slow', impact: 'minor', serviceIds: [], message: 'Looking.' }),
    });
    const { id } = created.json<{ id: string }>();
    const list = await get('/api/admin/incidents?limit=1');
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.json<IncidentPage>()).toMatchObject({ items: [{ id }], nextCursor: null });
    expect((await get(`/api/admin/incidents/${id}`)).json<{ id: string }>().id).toBe(id);
    expect((await get('/api/admin/incidents/nope')).statusCode).toBe(404);
  });
});

describe('branding and order from the services file, reloaded without a restart', () => {
  const log = new CapturedLog();
  let t: TestApp;
  const status = async () => (await t.inject({ method: 'GET', url: '/api/status' })).json<StatusResponse>();
  const reloader = () => t.app.get(ServicesFileReloader);

  beforeAll(async () => {
    t = await createTestApp({
      logger: log,
      env: { STATUS_CONFIG_WATCH: 'false' },
      servicesYaml: `page:
  title: Acme Status
  colors: { accent: "#0b6bcb" }
  links: [{ label: Acme, url: "https://acme.example" }]
  supportUrl: "mailto:help@acme.example"
services:
  - { id: zeta, name: Zeta, url: "http://127.0.0.1:9/z", paused: true }
  - { id: alpha, name: Alpha, url: "http://127.0.0.1:9/a", paused: true }
`,
    });
  });
  afterAll(() => t.close());

  it('publishes the page branding and lists services in the file order, not alphabetically', async () => {
    const first = await status();
    expect(first.page).toEqual({
      title: 'Acme Status',
      logoUrl: null,
      colors: { accent: '#0b6bcb', accentDark: null },
      links: [{ label: 'Acme', url: 'https://acme.example' }],
      supportUrl: 'mailto:help@acme.example',
      subscriptions: false,
    });
    expect(first.services.map((service) => service.id)).toEqual(['zeta', 'alpha']);
  });

  it('applies a valid edit on SIGHUP: services added, removed and changed, branding and order', async () => {
    writeFileSync(
      t.servicesFile,
      `page: { title: Acme Cloud Status, groupOrder: [Data] }
services:
  - { id: alpha, name: Alpha 2, url: "http://127.0.0.1:9/a", paused: true }
  - { id: beta, name: Beta, group: Data, url: "http://127.0.0.1:9/b", paused: true }
`,
    );
    process.emit('SIGHUP', 'SIGHUP');
    const deadline = Date.now() + 5000;
    while ((await status()).page.title !== 'Acme Cloud Status' && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 50));
    await reloader().reload('test');
    const after = await status();
    expect(after.page.title).toBe('Acme Cloud Status');
    expect(after.services.map((service) => [service.id, service.name])).toEqual([
      ['beta', 'Beta'],
      ['alpha', 'Alpha 2'],
    ]);
    expect(log.lines).toContainEqual(
      expect.stringMatching(
        /^reloaded .*services\.yaml \(SIGHUP\): 2 services; added 1 \(beta\), changed 1 \(alpha\), removed 1 \(zeta\)$/,
      ),
    );
  });

  it('refuses an invalid edit with the boot error lines and keeps the running services', async () => {
    writeFileSync(
      t.servicesFile,
      'services:\n  - { id: alpha, name: Alpha, url: "http://127.0.0.1:9/a", interval: 0s }\n  - { id: gamma, name: Gamma }\n',
    );
    expect(await reloader().reload('test')).toBe(false);
    expect(log.lines.at(-1)).toBe(
      `Invalid configuration in ${t.servicesFile}:\n` +
        '  - services[0].interval: "0s" must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")\n' +
        '  - services[1].url: is required for kind http\n' +
        'reload refused (test); the 2 services from the last valid file keep running',
    );
    expect((await status()).services.map((service) => service.id)).toEqual(['beta', 'alpha']);
  });
});
