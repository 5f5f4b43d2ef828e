import 'reflect-metadata';
import { DynamoCertificateAlertStore, DynamoHeartbeatStore, DynamoStateAndRollupStore } from '@app/aws';
import { INITIAL_EVALUATION } from '@app/monitoring';
import { testDynamo } from '../support/dynamo.js';

describe('heartbeat and certificate-alert items in the state table (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-heartbeat-');
  const heartbeats = new DynamoHeartbeatStore(client, names.state);
  const certificates = new DynamoCertificateAlertStore(client, names.state);
  const states = new DynamoStateAndRollupStore(client, names.state);
  const hash = (c: string) => c.repeat(64);

  beforeAll(ready);
  afterAll(destroy);

  it('records a ping only with the current token hash, in one conditional update', async () => {
    expect(await heartbeats.get('backup')).toBeNull();
    expect(await heartbeats.recordPing('backup', hash('a'), { at: 1, status: 'ok', message: null })).toBe(false);
    await heartbeats.setToken('backup', hash('a'), 1000);
    expect(await heartbeats.recordPing('backup', hash('b'), { at: 2000, status: 'ok', message: null })).toBe(false);
    expect(await heartbeats.recordPing('backup', hash('a'), { at: 3000, status: 'fail', message: 'disk full' })).toBe(
      true,
    );
    expect(await heartbeats.get('backup')).toEqual({
      tokenHash: hash('a'),
      createdAt: 1000,
      lastPingAt: 3000,
      lastStatus: 'fail',
      lastMessage: 'disk full',
    });
    // An ok ping clears the last failure's message.
    await heartbeats.recordPing('backup', hash('a'), { at: 4000, status: 'ok', message: null });
    expect(await heartbeats.get('backup')).toMatchObject({ lastPingAt: 4000, lastStatus: 'ok', lastMessage: null });
  });

  it('a rotation keeps the last ping and the first-ping time, and refuses the old token at once', async () => {
    await heartbeats.setToken('backup', hash('c'), 9999);
    expect(await heartbeats.recordPing('backup', hash('a'), { at: 5000, status: 'ok', message: null })).toBe(false);
    expect(await heartbeats.get('backup')).toMatchObject({ tokenHash: hash('c'), createdAt: 1000, lastPingAt: 4000 });
  });

  it('keeps the certificate alert mark, and both items leave the evaluation state load alone', async () => {
    expect(await certificates.get('backup')).toBeNull();
    await certificates.save('backup', { notAfter: 123_000, threshold: 7 });
    await certificates.save('backup', { notAfter: 123_000, threshold: 1 });
    expect(await certificates.get('backup')).toEqual({ notAfter: 123_000, threshold: 1 });
    await states.saveState('backup', { ...INITIAL_EVALUATION, state: 'down', since: 5 }, 1);
    expect(await states.load('backup', '2026-01-01')).toEqual({
      state: { ...INITIAL_EVALUATION, state: 'down', since: 5 },
      rollups: [],
    });
  });

  it('deleting a service deletes its heartbeat token (old pings fail) and its alert mark', async () => {
    await states.remove('backup');
    expect(await heartbeats.get('backup')).toBeNull();
    expect(await certificates.get('backup')).toBeNull();
    expect(await heartbeats.recordPing('backup', hash('c'), { at: 6000, status: 'ok', message: null })).toBe(false);
  });
});
