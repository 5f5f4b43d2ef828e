import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceDefinition } from '@app/contracts';
import { ConflictError, NotFoundError } from '@app/common';
import { CatalogStore, type StoredServiceDefinition } from '@app/monitoring';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { conditionHolds, scanAll } from '../dynamodb/requests.js';

/**
 * Services created through the admin API: one item per service, its definition as the admin wrote it (defaults
 * are applied when it is read, never stored) as JSON. Items are handed back unvalidated; the catalog validates them like the services file.
 */
export class DynamoCatalogStore extends CatalogStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async list(): Promise<StoredServiceDefinition[]> {
    const items = await scanAll(this.client, { TableName: this.table });
    return items
      .map((item) => ({ id: get.s(item, 'id'), definition: parsed(item) }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<StoredServiceDefinition | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: { id: put.s(id) }, ConsistentRead: true }),
    );
    return Item ? { id: get.s(Item, 'id'), definition: parsed(Item) } : null;
  }

  async create(service: ServiceDefinition): Promise<void> {
    if (!(await this.put(service, 'attribute_not_exists(id)')))
      throw new ConflictError(`service ${JSON.stringify(service.id)} already exists`);
  }

  async replace(service: ServiceDefinition): Promise<void> {
    if (!(await this.put(service, 'attribute_exists(id)')))
      throw new NotFoundError(`service ${JSON.stringify(service.id)} does not exist`);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteItemCommand({ TableName: this.table, Key: { id: put.s(id) }, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }

  private put(service: ServiceDefinition, condition: string): Promise<boolean> {
    const item: Item = {
      id: put.s(service.id),
      definition: put.s(JSON.stringify(service)),
      updatedAt: put.n(Date.now()),
    };
    return conditionHolds(
      this.client.send(new PutItemCommand({ TableName: this.table, Item: item, ConditionExpression: condition })),
    );
  }
}

/** The stored definition, or its text as stored when that is not JSON (the catalog then reports it). */
function parsed(item: Item): unknown {
  const text = get.optS(item, 'definition');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
