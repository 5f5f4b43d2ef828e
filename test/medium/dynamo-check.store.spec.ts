import 'reflect-metadata';
import { GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoCheckStore } from '@app/aws';
import type { StoredCheck } from '@app/monitoring';
import { dynamoClient, testDynamo, throttleBatchWrites } from '../support/dynamo.js';

/** Item size as DynamoDB counts it (names + values; numbers at most 21 bytes). */
function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    else if (value.N !== undefined) size += Math.min(21, Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1);
    else if (value.BOOL !== undefined) size += 1;
    else throw new Error(`unexpected attribute type on ${name}`);
  }
  return size;
}

describe('DynamoCheckStore against DynamoDB (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-checks-');
  const retentionDays = 30;
  const store = new DynamoCheckStore(client, names.checks, retentionDays);
  const T0 = Date.UTC(2026, 0, 10, 12);

  const check = (serviceId: string, index: number, overrides: Partial<StoredCheck> = {}): StoredCheck => ({
    serviceId,
    at: T0 + index * 1000,
    ok: index % 7 !== 0,
    latencyMs: 100 + index,
    state: 'up',
    maintenance: false,
    ...overrides,
  });

  beforeAll(ready);
  afterAll(destroy);

  /** Writes in chunks of 25, as the CheckWriter does, for tests about reading. */
  async function appendInBatches(checks: StoredCheck[]): Promise<void> {
    for (let index = 0; index < checks.length; index += 25) await store.append(checks.slice(index, index + 25));
  }

  it("reads strongly consistent (a takeover must see the previous owner's last check, stored a moment ago)", async () => {
    const observed = dynamoClient();
    const queries: { ConsistentRead?: boolean }[] = [];
    observed.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'QueryCommand') queries.push(args.input as { ConsistentRead?: boolean });
        return next(args);
      },
      { step: 'initialize', name: 'observeQueries' },
    );
    const reader = new DynamoCheckStore(observed, names.checks, retentionDays);
    await store.append([check('consistent', 1)]);
    expect(await reader.recent('consistent', 5)).toEqual([check('consistent', 1)]);
    expect(await reader.since('consistent', 0)).toEqual([check('consistent', 1)]);
    expect(queries).toHaveLength(2);
    expect(queries.every((input) => input.ConsistentRead === true)).toBe(true);
    observed.destroy();
  });

  it('appends a full batch of 25 checks in one call and reads them back oldest first', async () => {
    const checks = Array.from({ length: 25 }, (_, i) => check('batch', i));
    await store.append(checks);
    expect(await store.since('batch', 0)).toEqual(checks);
  });

  it('appends more than 25 checks in one call and reads them back oldest first', async () => {
    const checks = Array.from({ length: 60 }, (_, i) => check('many', i));
    await store.append(checks);
    expect(await store.since('many', 0)).toEqual(checks);
  });

  it('retries the checks DynamoDB hands back unprocessed until every one is stored', async () => {
    const throttledClient = dynamoClient();
    const batches = throttleBatchWrites(throttledClient, 4);
    const checks = Array.from({ length: 30 }, (_, i) => check('throttled', i));
    await new DynamoCheckStore(throttledClient, names.checks, retentionDays).append(checks);
    expect(await store.since('throttled', 0)).toEqual(checks);
    expect(batches.throttled).toBe(4);
    throttledClient.destroy();
  });

  it('keeps every field of a check, and omits the optional ones that were not set', async () => {
    const full = check('fields', 1, {
      ok: false,
      statusCode: 503,
      error: 'HTTP 503',
      state: 'down',
      maintenance: true,
    });
    const bare = check('fields', 2, { ok: true, state: 'up' });
    await store.append([full, bare]);
    const [newest, oldest] = await store.recent('fields', 10);
    expect(oldest).toEqual(full);
    expect(newest).toEqual(bare);
    expect(newest).not.toHaveProperty('statusCode');
    expect(newest).not.toHaveProperty('error');
  });

  it('returns the most recent checks newest first, up to the limit', async () => {
    await appendInBatches(Array.from({ length: 40 }, (_, i) => check('recent', i)));
    const recent = await store.recent('recent', 5);
    expect(recent.map((c) => c.at)).toEqual([39, 38, 37, 36, 35].map((i) => T0 + i * 1000));
    expect(await store.recent('nobody', 5)).toEqual([]);
  });

  it('returns only checks strictly after the given time, and only of that service', async () => {
    await store.append(Array.from({ length: 10 }, (_, i) => check('after', i)));
    await store.append(Array.from({ length: 10 }, (_, i) => check('after-other', i)));
    const after = await store.since('after', T0 + 6000);
    expect(after.map((c) => c.at)).toEqual([7, 8, 9].map((i) => T0 + i * 1000));
    expect(after.every((c) => c.serviceId === 'after')).toBe(true);
    expect(await store.since('after', T0 + 9000)).toEqual([]);
  });

  it('follows pagination: returns every check oldest first when the result exceeds one 1 MB page', async () => {
    const error = 'E'.repeat(200);
    const checks = Array.from({ length: 6_000 }, (_, i) => check('paged', i, { ok: false, error, statusCode: 500 }));
    await appendInBatches(checks);

    // The raw query proves the data really spans more than one page.
    const firstPage = await client.send(
      new QueryCommand({
        TableName: names.checks,
        KeyConditionExpression: 'serviceId = :id',
        ExpressionAttributeValues: { ':id': { S: 'paged' } },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items!.length).toBeLessThan(6_000);

    const back = await store.since('paged', T0 - 1);
    expect(back).toHaveLength(6_000);
    expect(back.map((c) => c.at)).toEqual(checks.map((c) => c.at));
  }, 60_000);

  it('sets expiresAt to the check time in seconds plus the retention period', async () => {
    const at = T0 + 123_456; // not a whole second: expiresAt is rounded down
    await store.append([check('ttl', 0, { at })]);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: names.checks, Key: { serviceId: { S: 'ttl' }, at: { N: String(at) } } }),
    );
    expect(Item?.expiresAt).toEqual({ N: String(Math.floor(at / 1000) + retentionDays * 86_400) });
  });

  it('stores an item under 1 KB (one write unit) even with a long error, cut to 200 characters', async () => {
    const error = `connect ECONNREFUSED ${'x'.repeat(600)}`;
    const at = T0 + 1;
    await store.append([
      check('size', 0, { at, ok: false, error, statusCode: 599, state: 'degraded', maintenance: true }),
    ]);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: names.checks, Key: { serviceId: { S: 'size' }, at: { N: String(at) } } }),
    );
    expect(Item?.error?.S).toBe(error.slice(0, 200));
    expect(itemSize(Item!)).toBeLessThan(1024);
    const [back] = await store.recent('size', 1);
    expect(back?.error).toHaveLength(200);
  });

  it('overwrites a check written twice (same service and time) instead of duplicating it', async () => {
    await store.append([check('twice', 1, { ok: false })]);
    await store.append([check('twice', 1, { ok: true })]);
    const back = await store.since('twice', 0);
    expect(back).toHaveLength(1);
    expect(back[0]?.ok).toBe(true);
  });
});
