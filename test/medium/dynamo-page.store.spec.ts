import 'reflect-metadata';
import { DeleteItemCommand, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoPageStore, DynamoStateAndRollupStore, PAGE_MAX_PARTS, PAGE_PART_BYTES } from '@app/aws';
import { randomBytes } from 'node:crypto';
import { recordCommands, testDynamo } from '../support/dynamo.js';

describe('the stored status page (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo(`medium-page-${randomBytes(3).toString('hex')}-`);
  const pages = new DynamoPageStore(client, names.state);
  const states = new DynamoStateAndRollupStore(client, names.state);

  beforeAll(ready);
  afterAll(destroy);

  it('has none before the first is stored', async () => {
    expect(await pages.load()).toBeNull();
  });

  it('gives back the bytes it stored, and keeps the newer of two pages', async () => {
    const first = randomBytes(1000);
    expect(await pages.save({ at: 2_000, body: first })).toBe(true);
    expect(await pages.load()).toEqual({ at: 2_000, body: first });
    // An older page (a replica that built it before) does not replace it, nor does one of the same time.
    expect(await pages.save({ at: 1_000, body: randomBytes(10) })).toBe(false);
    expect(await pages.save({ at: 2_000, body: randomBytes(10) })).toBe(false);
    expect(await pages.load()).toEqual({ at: 2_000, body: first });
    const second = randomBytes(20);
    expect(await pages.save({ at: 3_000, body: second })).toBe(true);
    expect(await pages.load()).toEqual({ at: 3_000, body: second });
  });

  it('stores a page longer than one item in parts, read back whole', async () => {
    const body = randomBytes(PAGE_PART_BYTES * 2 + 12_345);
    expect(await pages.save({ at: 4_000, body })).toBe(true);
    const sent = recordCommands(client);
    const loaded = await pages.load();
    expect(loaded?.at).toBe(4_000);
    expect(loaded?.body.equals(body)).toBe(true);
    expect(sent).toEqual(['GetItemCommand', 'BatchGetItemCommand']);
  });

  it('leaves only the stored page`s parts: those of the page it replaced and of a refused page are deleted', async () => {
    const keys = async () => {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: names.state,
          KeyConditionExpression: 'serviceId = :runner',
          ExpressionAttributeValues: { ':runner': { S: '#runner' } },
        }),
      );
      return (Items ?? []).map((item) => item.key!.S!.replace(/#\d+-[0-9a-f]+#/, '#<generation>#')).sort();
    };
    await pages.save({ at: 4_100, body: randomBytes(PAGE_PART_BYTES * 3) });
    await pages.save({ at: 4_200, body: randomBytes(PAGE_PART_BYTES * 2) });
    expect(await keys()).toEqual(['#page', '#page#<generation>#1']);
    expect(await pages.save({ at: 4_150, body: randomBytes(PAGE_PART_BYTES * 3) })).toBe(false);
    expect(await keys()).toEqual(['#page', '#page#<generation>#1']);
    expect((await pages.load())?.at).toBe(4_200);
  });

  it('serves no page when a part is missing (never a page cut short)', async () => {
    const body = randomBytes(PAGE_PART_BYTES + 10);
    await pages.save({ at: 5_000, body });
    const { Item: head } = await client.send(
      new GetItemCommand({ TableName: names.state, Key: { serviceId: { S: '#runner' }, key: { S: '#page' } } }),
    );
    const generation = head!.generation!.S!;
    await client.send(
      new DeleteItemCommand({
        TableName: names.state,
        Key: { serviceId: { S: '#runner' }, key: { S: `#page#${generation}#1` } },
      }),
    );
    expect(await pages.load()).toBeNull();
  });

  it('refuses a page beyond its parts, naming the size and the limit, and keeps the stored one', async () => {
    const stored = randomBytes(10);
    await pages.save({ at: 6_000, body: stored });
    const size = PAGE_MAX_PARTS * PAGE_PART_BYTES + 1;
    await expect(pages.save({ at: 7_000, body: Buffer.alloc(size) })).rejects.toThrow(
      `the status page is too large to store (${size} bytes compressed, at most ${PAGE_MAX_PARTS * PAGE_PART_BYTES})`,
    );
    expect(await pages.load()).toEqual({ at: 6_000, body: stored });
  });

  it('is not read as a service by the boot Scan of the state table', async () => {
    await pages.save({ at: 8_000, body: randomBytes(PAGE_PART_BYTES + 1) });
    expect([...(await states.loadAll('2026-01-01')).keys()]).toEqual([]);
  });
});
