import { InMemoryHeartbeatStore } from '../testing/in-memory-heartbeat-store.js';
import { cleanMessage, HeartbeatService } from '../heartbeat/heartbeat.service.js';
import {
  hashToken,
  newHeartbeatToken,
  parseHeartbeatToken,
  redactHeartbeatToken,
} from '../heartbeat/heartbeat-token.js';
import { ago, HeartbeatProber } from './heartbeat-prober.js';
import type { ProbeTarget } from './prober.js';

const START = Date.parse('2026-12-01T00:00:00Z');
const MINUTE = 60_000;

describe('heartbeat tokens', () => {
  it('name their service, fit one URL path segment, and are kept only as a hash', () => {
    const longest = 'a'.repeat(63);
    const { token, tokenHash } = newHeartbeatToken(longest);
    expect(token.length).toBeLessThanOrEqual(100);
    expect(parseHeartbeatToken(token)).toEqual({ serviceId: longest, tokenHash });
    expect(tokenHash).toBe(hashToken(token));
    expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(newHeartbeatToken(longest).token).not.toBe(token);
    expect(redactHeartbeatToken(token)).toBe(`hb.${longest}.***`);
  });

  it.each([
    '',
    'hb.x',
    'hb.Shop.abcdefghijklmnopqrstuvwxyz012345',
    'hb.shop.short',
    'sp_admin-token',
    'hb.shop.abcdefghijklmnopqrstuvwxyz0123456',
  ])('refuses %j as a token', (token) => {
    expect(parseHeartbeatToken(token)).toBeNull();
  });
});

describe('HeartbeatProber', () => {
  let store: InMemoryHeartbeatStore;
  let now: number;
  let prober: HeartbeatProber;
  let service: HeartbeatService;
  let token: string;
  const target: ProbeTarget = {
    serviceId: 'backup',
    url: '',
    timeoutMs: 1000,
    intervalMs: 60 * MINUTE,
    check: { kind: 'heartbeat', graceMs: 5 * MINUTE, tokenHash: '' },
  };

  beforeEach(async () => {
    store = new InMemoryHeartbeatStore();
    now = START;
    prober = new HeartbeatProber(store, () => now);
    service = new HeartbeatService(store);
    ({ token } = newHeartbeatToken('backup'));
    await store.setToken('backup', hashToken(token), START);
  });

  it('has nothing to judge until the first ping is due (interval + grace after the token was set)', async () => {
    now = START + 64 * MINUTE;
    expect(await prober.probe(target)).toMatchObject({ pending: true });
    now = START + 66 * MINUTE;
    expect(await prober.probe(target)).toMatchObject({
      ok: false,
      error: 'no ping received yet (expected every 1h + 5m grace)',
    });
  });

  it('is up after a ping on time, down once it is late, with how late', async () => {
    now = START + 30 * MINUTE;
    expect(await service.ping(token, { at: now, status: 'ok' })).toBe(true);
    now = START + 90 * MINUTE;
    expect(await prober.probe(target)).toMatchObject({ ok: true, startedAt: now });
    now = START + 30 * MINUTE + 65 * MINUTE + 1000;
    expect(await prober.probe(target)).toMatchObject({
      ok: false,
      error: 'no ping for 1h 5m (expected every 1h + 5m grace)',
    });
  });

  it("is down with the job's message when the ping reports a failure", async () => {
    await service.ping(token, { at: now, status: 'fail', message: 'pg_dump: \u0007connection refused\n' });
    expect(await prober.probe(target)).toMatchObject({
      ok: false,
      error: 'ping reported failure: pg_dump: connection refused',
    });
  });

  it('refuses a ping with another token, and every ping once the token is rotated', async () => {
    expect(await service.ping(newHeartbeatToken('backup').token, { at: now, status: 'ok' })).toBe(false);
    expect(await service.ping('not-a-token', { at: now, status: 'ok' })).toBe(false);
    const next = newHeartbeatToken('backup');
    await service.setToken('backup', next.tokenHash, now);
    expect(await service.ping(token, { at: now, status: 'ok' })).toBe(false);
    expect(await service.ping(next.token, { at: now, status: 'ok' })).toBe(true);
    // A rotation keeps the first-ping allowance of the service, not of the new token.
    expect(store.records.get('backup')?.createdAt).toBe(START);
  });

  it('reads the store once per check', async () => {
    await prober.probe(target);
    await prober.probe(target);
    expect(store.reads).toBe(2);
  });

  it('keeps messages to one clean line of at most 200 characters', () => {
    expect(cleanMessage('a\r\nb\u202e c')).toBe('a b c');
    expect(cleanMessage('x'.repeat(500))).toHaveLength(200);
    expect(cleanMessage('  ')).toBeNull();
    expect(ago(3_723_000)).toBe('1h 2m');
    expect(ago(45_000)).toBe('45s');
    expect(ago(2 * 86_400_000 + 5_000)).toBe('2d');
  });
});
