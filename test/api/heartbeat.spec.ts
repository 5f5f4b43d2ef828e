import type { AdminService, HeartbeatTokenResponse, ServiceDetailResponse } from '@app/contracts';
import { newHeartbeatToken } from '@app/monitoring';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

/** Heartbeat (push) services through the whole app: admin API, the public ping endpoint and the real runner. */
describe('heartbeat services end to end (in-process app, dynalite, the real scheduler)', () => {
  let t: TestApp;
  const filed = newHeartbeatToken('filed');
  let token = '';

  const admin = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const ping = (value: string, query = '', method: 'GET' | 'POST' = 'GET', ip = '198.51.100.7') =>
    t.inject({ method, url: `/api/heartbeat/${value}${query}`, remoteAddress: ip });
  const detail = async () =>
    (await t.inject({ method: 'GET', url: '/api/services/nightly' })).json<ServiceDetailResponse>().service;
  /** Polls the public detail until `predicate` holds (the scheduler checks every 2 s). */
  async function until(predicate: (service: ServiceDetailResponse['service']) => boolean, timeoutMs = 9000) {
    const deadline = Date.now() + timeoutMs;
    let service = await detail();
    while (!predicate(service) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      service = await detail();
    }
    return service;
  }

  beforeAll(async () => {
    t = await createTestApp({
      servicesYaml: `services:\n  - { id: filed, name: Filed job, kind: heartbeat, interval: 1h, heartbeat: { tokenHash: "${filed.tokenHash}" } }\n`,
      env: { HEARTBEAT_PINGS_PER_MINUTE: '8', HEARTBEAT_UNKNOWN_PER_MINUTE: '4' },
    });
  });
  afterAll(() => t?.close());

  it('shows the ping token once, when the service is created, and never its hash', async () => {
    const created = await admin('POST', '/api/admin/services', {
      id: 'nightly',
      name: 'Nightly backup',
      kind: 'heartbeat',
      interval: '2s',
      heartbeat: { grace: '1s' },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<AdminService>();
    token = body.heartbeatToken ?? '';
    expect(token).toMatch(/^hb\.nightly\.[A-Za-z0-9_-]{32}$/);
    expect(body).toMatchObject({
      kind: 'heartbeat',
      heartbeat: { grace: '1s' },
      failureThreshold: 1,
      recoveryThreshold: 1,
    });
    const listed = (await admin('GET', '/api/admin/services/nightly')).body;
    const audit = (await admin('GET', '/api/admin/audit?limit=10')).body;
    for (const text of [listed, audit]) {
      expect(text).not.toContain(token);
      expect(text).not.toMatch(/tokenHash|[0-9a-f]{64}/);
    }
  });

  it('answers a ping with nothing but "recorded", and the service is up', async () => {
    const answer = await ping(token);
    expect({ status: answer.statusCode, body: answer.body }).toEqual({ status: 200, body: '{"ok":true}' });
    expect((await until((s) => s.state === 'up')).state).toBe('up');
  });

  it('goes down with the message of a failed ping, and up again with the next good one', async () => {
    expect((await ping(token, '?status=fail&msg=pg_dump%3A%20disk%20full', 'POST')).statusCode).toBe(200);
    const down = await until((s) => s.state === 'down');
    expect(down.state).toBe('down');
    expect(down.lastCheck?.error).toBe('ping reported failure: pg_dump: disk full');
    expect((await ping(token, '?status=ok')).statusCode).toBe(200);
    expect((await until((s) => s.state === 'up')).state).toBe('up');
  });

  it('goes down when no ping arrives within interval + grace, saying how long it has been', async () => {
    const late = await until((s) => s.state === 'down', 10_000);
    expect(late.state).toBe('down');
    expect(late.lastCheck?.error).toMatch(/^no ping for [34]s \(expected every 2s \+ 1s grace\)$/);
  });

  it('rotates the token: the old one gets the same 404 as a token that never existed, the new one works', async () => {
    const rotated = await admin('POST', '/api/admin/services/nightly/heartbeat-token');
    expect(rotated.statusCode).toBe(200);
    const { token: fresh, path } = rotated.json<HeartbeatTokenResponse>();
    expect(path).toBe(`/api/heartbeat/${fresh}`);
    const old = await ping(token, '', 'GET', '198.51.100.20');
    const never = await ping(newHeartbeatToken('nightly').token, '', 'GET', '198.51.100.20');
    expect(old.statusCode).toBe(404);
    expect(old.body).toBe(never.body);
    expect(old.body).not.toMatch(/nightly|Nightly/);
    expect((await ping(fresh)).statusCode).toBe(200);
    token = fresh;
  });

  it('takes pings for a services-file heartbeat whose hash the file holds; its token cannot be rotated through the API', async () => {
    expect((await ping(filed.token)).statusCode).toBe(200);
    expect((await admin('POST', '/api/admin/services/filed/heartbeat-token')).statusCode).toBe(409);
  });

  it('refuses a bad status or message, naming the field, value and rule', async () => {
    const bad = await ping(token, '?status=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toBe('status: "maybe" must be ok or fail');
    expect((await ping(token, `?msg=${'x'.repeat(201)}`)).statusCode).toBe(400);
  });

  it('rate-limits pings per token, and unknown tokens per client address (429 with Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await ping(token, '', 'GET', `203.0.113.${i}`)).statusCode);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const limited = await ping(token);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const guesses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      guesses.push((await ping(`hb.nightly.${'A'.repeat(31)}${i}`, '', 'GET', '192.0.2.66')).statusCode);
    expect(guesses).toEqual([404, 404, 404, 404, 404, 429]);
  });
});
