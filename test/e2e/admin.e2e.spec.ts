import { createHash, randomBytes } from 'node:crypto';
import type { AdminService, AuditEntry, Page, StatusResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { TargetServer } from '../support/targets.js';

const token = `sp_${randomBytes(24).toString('base64url')}`;
const env = { ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex') };
const yaml = (base: string) => `services:\n  - { id: from-file, name: From file, url: "${base}/ok", interval: 5s }\n`;

describe('admin API end to end (real process, restart)', () => {
  const targets = new TargetServer();
  let app: AppProcess;

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${app.baseUrl}/api/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const status = () => getJson<StatusResponse>(`${app.baseUrl}/api/status`);
  const find = (s: StatusResponse, id: string) => s.services.find((service) => service.id === id);

  beforeAll(async () => {
    await targets.start();
    targets.set('api1', 'ok');
    app = await startApp({ servicesYaml: yaml(targets.baseUrl), env });
  });

  afterAll(async () => {
    await app?.kill();
    await targets.stop();
  });

  it('adds a service that is checked and appears in /api/status within interval + 1 s', async () => {
    const started = Date.now();
    const created = await admin('POST', '/services', {
      id: 'api1',
      name: 'API one',
      group: 'Added',
      url: targets.url('/t/api1'),
      interval: '1s',
      timeout: '800ms',
      failureThreshold: 1,
      recoveryThreshold: 1,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'api1', source: 'api', interval: '1s', failureThreshold: 1 });
    const seen = await waitFor(status, (s) => find(s, 'api1')?.state === 'up', 3000, 50);
    expect(find(seen, 'api1')?.state).toBe('up');
    expect(Date.now() - started).toBeLessThanOrEqual(2000);
  });

  it('pauses: no more checks, shown as paused/unknown', async () => {
    const patched = await admin('PATCH', '/services/api1', { paused: true });
    expect(patched.status).toBe(200);
    const paused = await waitFor(status, (s) => find(s, 'api1')?.paused === true, 2000, 50);
    expect(find(paused, 'api1')).toMatchObject({ paused: true, state: 'unknown' });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // let a check that was already running finish
    const hits = targets.hits.get('/t/api1');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(targets.hits.get('/t/api1')).toBe(hits);
  });

  it('edits: resumes and follows the new definition', async () => {
    targets.set('api1', 'fail');
    const patched = await admin('PATCH', '/services/api1', { paused: false, name: 'API one (edited)' });
    expect(patched.status).toBe(200);
    const down = await waitFor(status, (s) => find(s, 'api1')?.state === 'down', 3000, 50);
    expect(find(down, 'api1')).toMatchObject({ name: 'API one (edited)', state: 'down' });
    // Not paused any more: /api/status leaves `paused` out rather than sending false.
    expect(find(down, 'api1')).not.toHaveProperty('paused');
    expect(find(down, 'api1')?.lastCheck?.error).toBe('HTTP 503');
    // When it ran and its HTTP status: in the admin API (the console's list), not in /api/status.
    expect(find(down, 'api1')?.lastCheck).not.toHaveProperty('at');
    const listed = (await (await admin('GET', '/services')).json()) as AdminService[];
    const last = listed.find((service) => service.id === 'api1')?.lastCheck;
    expect(last).toMatchObject({ ok: false, statusCode: 503, error: 'HTTP 503' });
    expect(Date.now() - Date.parse(last!.at)).toBeLessThan(5000);
  });

  it('refuses to change a service from the services file (409)', async () => {
    const response = await admin('DELETE', '/services/from-file');
    expect(response.status).toBe(409);
    expect(((await response.json()) as { message: string }).message).toMatch(/services file/);
  });

  it('keeps API-created services (and their state) across a restart', async () => {
    expect(await app.stop()).toBe(true);
    app = await startApp({ servicesYaml: yaml(targets.baseUrl), env, dataDir: app.dataDir });
    const listed = (await (await admin('GET', '/services')).json()) as AdminService[];
    expect(listed.map((service) => `${service.id}:${service.source}`).sort()).toEqual(['api1:api', 'from-file:config']);
    expect(find(await status(), 'api1')).toMatchObject({ name: 'API one (edited)', state: 'down' });
  });

  it('replaces with PUT and deletes with DELETE', async () => {
    targets.set('api1', 'ok');
    const replaced = await admin('PUT', '/services/api1', {
      name: 'API one (replaced)',
      url: targets.url('/t/api1'),
      interval: '2s',
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ name: 'API one (replaced)', interval: '2s', failureThreshold: 3 });
    const deleted = await admin('DELETE', '/services/api1');
    expect(deleted.status).toBe(204);
    expect(find(await status(), 'api1')).toBeUndefined();
    expect((await admin('GET', '/services/api1')).status).toBe(404);
  });

  it('audits every change, newest first, with the token fingerprint', async () => {
    const page = (await (await admin('GET', '/audit?limit=10')).json()) as Page<AuditEntry>;
    expect(page.items.map((entry) => entry.action)).toEqual([
      'service.delete',
      'service.replace',
      'service.update',
      'service.update',
      'service.create',
    ]);
    const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 12);
    expect(new Set(page.items.map((entry) => entry.actor))).toEqual(new Set([fingerprint]));
    expect(page.items[0]).toMatchObject({ targetId: 'api1', after: null, before: { name: 'API one (replaced)' } });
  });
});
