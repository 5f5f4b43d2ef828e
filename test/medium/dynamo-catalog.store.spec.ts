import 'reflect-metadata';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ServiceDefinition } from '@app/contracts';
import { DynamoCatalogStore } from '@app/aws';
import { ConflictError, NotFoundError } from '@app/common';
import { definitionInput } from '@app/monitoring';
import { monitoredService } from '@app/monitoring/testing';
import { testDynamo } from '../support/dynamo.js';

describe('DynamoCatalogStore against DynamoDB (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-catalog-');
  const store = new DynamoCatalogStore(client, names.services);

  const service = (id: string, overrides: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
    ...definitionInput(monitoredService(id, { name: `Service ${id}`, group: 'Core', latencyThresholdMs: 800 })),
    expectedStatus: ['200-299', 301],
    ...overrides,
  });
  const definitionOf = async (id: string) => (await store.list()).find((s) => s.id === id)?.definition;

  beforeAll(ready);
  afterAll(destroy);

  // The table is shared by the tests below, so they run in order and each states what it expects to find.
  it('starts empty', async () => {
    expect(await store.list()).toEqual([]);
  });

  it('creates services and lists them sorted by id, definitions intact', async () => {
    for (const id of ['web', 'api', 'queue', 'db']) await store.create(service(id));
    const listed = await store.list();
    expect(listed.map((s) => s.id)).toEqual(['api', 'db', 'queue', 'web']);
    expect(listed[0]).toEqual({ id: 'api', definition: service('api') });
  });

  it('refuses to create a service whose id exists, with a ConflictError, keeping the original', async () => {
    const attempt = store.create(service('api', { name: 'Impostor' }));
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    await expect(store.create(service('api'))).rejects.toThrow('service "api" already exists');
    expect(await definitionOf('api')).toMatchObject({ name: 'Service api' });
  });

  it('replaces an existing service', async () => {
    await store.replace(service('db', { paused: true, url: 'https://db2.example.com/' }));
    expect(await definitionOf('db')).toEqual(service('db', { paused: true, url: 'https://db2.example.com/' }));
  });

  it('refuses to replace a service that does not exist, with a NotFoundError, creating nothing', async () => {
    await expect(store.replace(service('ghost'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.replace(service('ghost'))).rejects.toThrow('service "ghost" does not exist');
    expect((await store.list()).map((s) => s.id)).not.toContain('ghost');
  });

  it('deletes a service and says whether it existed', async () => {
    expect(await store.delete('queue')).toBe(true);
    expect(await store.delete('queue')).toBe(false);
    expect(await store.delete('never')).toBe(false);
    expect((await store.list()).map((s) => s.id)).toEqual(['api', 'db', 'web']);
  });

  it('lets a deleted id be created again', async () => {
    await store.create(service('queue', { name: 'Queue v2' }));
    expect(await definitionOf('queue')).toMatchObject({ name: 'Queue v2' });
  });

  it('hands back an item whose definition is not JSON as its text, for the catalog to report', async () => {
    await client.send(
      new PutItemCommand({
        TableName: names.services,
        Item: { id: { S: 'torn' }, definition: { S: '{"id":"torn",' }, updatedAt: { N: '0' } },
      }),
    );
    expect(await definitionOf('torn')).toBe('{"id":"torn",');
  });
});
