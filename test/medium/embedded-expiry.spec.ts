import 'reflect-metadata';
import {
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { Test } from '@nestjs/testing';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsModule,
  DynamoCertificateAlertStore,
  DynamoChangeFeedStore,
  DynamoCheckStore,
  DynamoCoordinationStore,
  DynamoStateAndRollupStore,
  EmbeddedExpiry,
  TTL_ATTRIBUTE,
  type ExpiredCounts,
} from '@app/aws';
import { CheckStore, emptyRollup, type StoredCheck } from '@app/monitoring';
import { passingCheck } from '@app/monitoring/testing';
import { dynamoClient, recordCommands, testDynamo } from '../support/dynamo.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);
const RETENTION_DAYS = 30;

const check = passingCheck;

/** `count` checks a minute apart, the newest at `newest`. */
const checksUntil = (serviceId: string, newest: number, count: number): StoredCheck[] =>
  Array.from({ length: count }, (_, index) => check(serviceId, newest - (count - 1 - index) * 60_000));

describe('EmbeddedExpiry against DynamoDB (dynalite): what TTL deletes in AWS, the embedded store deletes itself', () => {
  const { client, names, ready, destroy } = testDynamo('medium-expiry-');
  const checks = new DynamoCheckStore(client, names.checks, RETENTION_DAYS);
  const state = new DynamoStateAndRollupStore(client, names.state);
  const coordination = new DynamoCoordinationStore(client, names.coord);
  const feed = new DynamoChangeFeedStore(client, names.coord);

  beforeAll(ready);
  afterAll(destroy);

  async function emptyTables(): Promise<void> {
    for (const [table, key] of [
      [names.checks, ['serviceId', 'at']],
      [names.state, ['serviceId', 'key']],
      [names.coord, ['pk', 'sk']],
      [names.outbox, ['id']],
    ] as const) {
      const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
      for (const item of Items)
        await client.send(
          new DeleteItemCommand({ TableName: table, Key: Object.fromEntries(key.map((name) => [name, item[name]!])) }),
        );
    }
  }

  async function checksOf(serviceId: string): Promise<number[]> {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: names.checks,
        KeyConditionExpression: 'serviceId = :id',
        ExpressionAttributeValues: { ':id': { S: serviceId } },
      }),
    );
    return Items.map((item) => Number(item.at!.N));
  }

  async function keysOf(table: string, hash: string, value: string, range: string): Promise<string[]> {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#h = :v',
        ExpressionAttributeNames: { '#h': hash },
        ExpressionAttributeValues: { ':v': { S: value } },
      }),
    );
    return Items.map((item) => item[range]!.S!);
  }

  beforeEach(emptyTables);

  /** A sweep at NOW, and the partitions it sent a Query for. */
  async function sweepRecordingQueries(): Promise<{ counts: ExpiredCounts; queried: string[] }> {
    const sweeping = dynamoClient();
    const queried: string[] = [];
    sweeping.middlewareStack.add(
      (next, context) => (args) => {
        const input = args.input as { ExpressionAttributeValues?: Record<string, AttributeValue> };
        if (context.commandName === 'QueryCommand') queried.push(input.ExpressionAttributeValues?.[':h']?.S ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordQueries' },
    );
    const counts = await new EmbeddedExpiry(sweeping, names).sweep(NOW);
    sweeping.destroy();
    return { counts, queried };
  }

  it('deletes the checks past their retention, partition by partition, and keeps every other check', async () => {
    const cutoff = NOW - RETENTION_DAYS * DAY;
    // More expired checks than one page in a partition; a partition left empty; one with nothing expired; and
    // enough partitions that the walk from one to the next is exercised in dynalite's own partition order.
    const written: Record<string, { expired: StoredCheck[]; kept: StoredCheck[] }> = {
      'svc-many': { expired: checksUntil('svc-many', cutoff - 60_000, 250), kept: checksUntil('svc-many', NOW, 5) },
      'svc-gone': { expired: checksUntil('svc-gone', cutoff - 5 * DAY, 30), kept: [] },
      'svc-fresh': { expired: [], kept: checksUntil('svc-fresh', NOW - DAY, 10) },
    };
    for (let index = 0; index < 12; index += 1) {
      const id = `svc-${index}`;
      written[id] = { expired: checksUntil(id, cutoff - index * DAY - 1000, 3), kept: checksUntil(id, NOW, 2) };
    }
    for (const { expired, kept } of Object.values(written)) {
      const all = [...expired, ...kept];
      for (let index = 0; index < all.length; index += 25) await checks.append(all.slice(index, index + 25));
    }

    const { counts, queried } = await sweepRecordingQueries();

    const expiredTotal = Object.values(written).reduce((sum, { expired }) => sum + expired.length, 0);
    expect(counts.checks).toBe(expiredTotal);
    for (const [id, { kept }] of Object.entries(written)) expect(await checksOf(id)).toEqual(kept.map((c) => c.at));
    // A partition with nothing expired costs the walk's one-item Scan only.
    expect(queried).not.toContain('svc-fresh');
    // A second sweep finds nothing more.
    expect((await new EmbeddedExpiry(client, names).sweep(NOW)).checks).toBe(0);
  });

  it('deletes an item once its expiry is before now, not at it (as DynamoDB compares expiresAt with the time)', async () => {
    const nowSeconds = Math.floor(NOW / 1000);
    const expiresNow = (nowSeconds - RETENTION_DAYS * 86_400) * 1000;
    await checks.append([check('edge', expiresNow - 1000), check('edge', expiresNow)]);

    expect((await new EmbeddedExpiry(client, names).sweep(NOW)).checks).toBe(1);
    expect(await checksOf('edge')).toEqual([expiresNow]);
  });

  it('deletes rollups older than their 100 days, past a fencing stub, and keeps the state item and newer rollups', async () => {
    const up = { state: 'up', since: 1, failStreak: 0, badStreak: 0, okStreak: 3, fastStreak: 3 } as const;
    // A rollup expires 100 days after its day begins: by noon of 2026-06-01, the days up to 2026-02-21 have.
    for (const day of ['2025-12-01', '2025-12-03', '2026-02-21', '2026-02-22', '2026-05-31'])
      expect(await state.saveRollup({ ...emptyRollup('svc', day), total: 1, through: 1 }, null, 1)).toBe('saved');
    // A new owner's stamp on a day without a rollup leaves a stub that expires as the day's rollup would (gone);
    // one left with no expiry (as stamps did before they set one) stays, and the sweep goes on past it.
    await state.fence('svc', ['2025-12-01', '2025-12-02'], 2);
    await client.send(
      new PutItemCommand({
        TableName: names.state,
        Item: { serviceId: { S: 'svc' }, key: { S: 'day#2025-12-04' }, epoch: { N: '1' } },
      }),
    );
    await state.saveState('svc', up, 2);
    // A partition whose first item sorts before the rollups (`cert-alert` < `day#…`): its old rollup is found too.
    await new DynamoCertificateAlertStore(client, names.state).save('tls', { notAfter: NOW, threshold: 14 });
    await state.saveRollup({ ...emptyRollup('tls', '2025-12-01'), total: 1, through: 1 }, null, 1);
    // A partition with no rollups at all.
    await state.saveState('quiet', up, 1);

    const { counts, queried } = await sweepRecordingQueries();

    expect(counts.state).toBe(5);
    expect(await keysOf(names.state, 'serviceId', 'svc', 'key')).toEqual([
      'day#2025-12-04',
      'day#2026-02-22',
      'day#2026-05-31',
      'state',
    ]);
    expect(await keysOf(names.state, 'serviceId', 'tls', 'key')).toEqual(['cert-alert']);
    expect(await keysOf(names.state, 'serviceId', 'quiet', 'key')).toEqual(['state']);
    expect(queried.sort()).toEqual(['svc', 'tls']);
  });

  it('deletes expired replica records and change-feed items and keeps live ones and the items that never expire', async () => {
    const replica = (replicaId: string, heartbeatAt: number) => ({
      replicaId,
      incarnation: `${replicaId}-1`,
      startedAt: heartbeatAt,
      heartbeatAt,
      seq: 1,
      leaseMs: 30_000,
    });
    await coordination.register(replica('gone', NOW - 2 * DAY));
    await coordination.register(replica('alive', NOW - 3_600_000));
    await feed.append({ sk: `${NOW - 7_200_000}#w#0000000001`, writer: 'w', at: NOW - 7_200_000, changes: [] });
    await feed.append({ sk: `${NOW - 600_000}#w#0000000002`, writer: 'w', at: NOW - 600_000, changes: [] });
    await client.send(
      new PutItemCommand({
        TableName: names.coord,
        Item: { pk: { S: 'epoch' }, sk: { S: 'counter' }, value: { N: '7' } },
      }),
    );
    const outbox = (id: string, expiresAt: number) =>
      client.send(
        new PutItemCommand({
          TableName: names.outbox,
          Item: { id: { S: id }, status: { S: 'sent' }, [TTL_ATTRIBUTE]: { N: String(expiresAt) } },
        }),
      );
    await outbox('old#opened#slack', Math.floor(NOW / 1000) - 1);
    await outbox('new#opened#slack', Math.floor(NOW / 1000) + 86_400);

    const counts = await new EmbeddedExpiry(client, names).sweep(NOW);

    expect(counts.coord).toBe(2);
    expect(counts.outbox).toBe(1);
    expect(await keysOf(names.coord, 'pk', 'replica', 'sk')).toEqual(['alive']);
    expect(await keysOf(names.coord, 'pk', 'feed', 'sk')).toEqual([`${NOW - 600_000}#w#0000000002`]);
    expect(await keysOf(names.coord, 'pk', 'epoch', 'sk')).toEqual(['counter']);
    const { Items: left = [] } = await client.send(new ScanCommand({ TableName: names.outbox }));
    expect(left.map((item) => item.id!.S)).toEqual(['new#opened#slack']);
  });

  it('keeps a replica record that a heartbeat renewed between the read and the delete', async () => {
    await coordination.register({
      replicaId: 'late',
      incarnation: 'late-1',
      startedAt: NOW - 2 * DAY,
      heartbeatAt: NOW - 2 * DAY,
      seq: 1,
      leaseMs: 30_000,
    });
    const sweeping = dynamoClient();
    sweeping.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteItemCommand')
          // The replica heartbeats just before the sweep's delete arrives.
          expect(await coordination.heartbeat('late', 'late-1', 2, NOW)).toBeDefined();
        return next(args);
      },
      { step: 'initialize', name: 'heartbeatFirst' },
    );

    const counts = await new EmbeddedExpiry(sweeping, names).sweep(NOW);

    expect(counts.coord).toBe(0);
    expect(await keysOf(names.coord, 'pk', 'replica', 'sk')).toEqual(['late']);
    sweeping.destroy();
  });

  it('runs on its schedule until stopped, and a stop ends a sweep at its next request', async () => {
    let now = NOW;
    const sweeping = dynamoClient();
    const sent = recordCommands(sweeping);
    const expiry = new EmbeddedExpiry(sweeping, names, { firstMs: 10, everyMs: 10 }, () => now);
    await checks.append([check('scheduled', NOW - (RETENTION_DAYS + 1) * DAY)]);
    expiry.start();
    await waitFor(async () => (await checksOf('scheduled')).length === 0);
    // The next sweeps (every 10 ms) take what expires later.
    await checks.append([check('scheduled', NOW - RETENTION_DAYS * DAY + 60_000)]);
    now = NOW + 120_000;
    await waitFor(async () => (await checksOf('scheduled')).length === 0);
    await expiry.stop();
    const after = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent.length).toBe(after);

    // A sweep in progress: stopped after its first request, it sends at most the one in flight.
    await checks.append(Array.from({ length: 20 }, (_, index) => check(`stop-${index}`, NOW - 60 * DAY)));
    const stopping = new EmbeddedExpiry(sweeping, names, { firstMs: 0, everyMs: 10 });
    const before = sent.length;
    const sweep = stopping.sweep(NOW);
    await stopping.stop();
    await sweep;
    expect(sent.length - before).toBeLessThanOrEqual(3);
    expect((await new EmbeddedExpiry(client, names).sweep(NOW)).checks).toBeGreaterThan(0);
    sweeping.destroy();
  });
});

describe('AwsModule with the embedded store', () => {
  it('sweeps on its schedule from the application bootstrap and stops before the store closes', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AwsModule.register({
          region: 'us-east-1',
          tablePrefix: 'wired-',
          embedded: { dataDir: null, thread: false, expiry: { firstMs: 10, everyMs: 10 } },
          createTables: true,
          checkRetentionDays: RETENTION_DAYS,
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    const store = app.get(CheckStore);
    const client = app.get(DynamoDBClient);
    const stored = async () =>
      (
        await client.send(
          new QueryCommand({
            TableName: 'wired-checks',
            KeyConditionExpression: 'serviceId = :id',
            ExpressionAttributeValues: { ':id': { S: 'wired' } },
          }),
        )
      ).Items?.length ?? 0;
    await store.append([check('wired', Date.now() - (RETENTION_DAYS + 1) * DAY), check('wired', Date.now())]);
    await waitFor(async () => (await stored()) === 1);
    // Closing waits for a sweep in progress; the store closes after it (a request after that would fail the test).
    await app.close();
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
