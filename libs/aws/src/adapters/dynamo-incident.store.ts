import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MaintenanceWindow } from '@app/contracts';
import { IncidentStore, type Incident, type OpenLock } from '@app/incidents';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { conditionHolds, queryAll } from '../dynamodb/requests.js';

/**
 * One table, three item kinds (see libs/aws/README.md):
 *  - incident     pk incident#<id>        sk meta   gsi1 (incident, <startedAt>#<id>)  — history newest first
 *  - open lock    pk open#<serviceId>     sk auto   gsi1 (open-auto, <serviceId>)      — one per service, ever
 *  - maintenance  pk maintenance#<id>     sk meta   gsi1 (maintenance, <endsAt>#<id>)
 * Every write is a single-item conditional write.
 */
export class DynamoIncidentStore extends IncidentStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async acquireOpenLock(lock: OpenLock): Promise<OpenLock | null> {
    const taken = await conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: put.s(`open#${lock.serviceId}`),
            sk: put.s('auto'),
            gsi1pk: put.s('open-auto'),
            gsi1sk: put.s(lock.serviceId),
            serviceId: put.s(lock.serviceId),
            incidentId: put.s(lock.incidentId),
            openedAt: put.n(lock.openedAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (taken) return null;
    const { Item: existing } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: put.s(`open#${lock.serviceId}`), sk: put.s('auto') },
        ConsistentRead: true,
      }),
    );
    // Released between our write and this read: report it taken anyway; the next reconcile pass retries.
    return existing ? lockFrom(existing) : { ...lock, incidentId: '' };
  }

  async releaseOpenLock(serviceId: string, incidentId: string): Promise<void> {
    // A lock that belongs to another incident by now is left alone (the condition fails quietly).
    await conditionHolds(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: put.s(`open#${serviceId}`), sk: put.s('auto') },
          ConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: { ':id': put.s(incidentId) },
        }),
      ),
    );
  }

  async getOpenLock(serviceId: string): Promise<OpenLock | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: put.s(`open#${serviceId}`), sk: put.s('auto') },
        ConsistentRead: true,
      }),
    );
    return Item ? lockFrom(Item) : null;
  }

  async listOpenLocks(): Promise<OpenLock[]> {
    return (await this.queryGsi({ pk: 'open-auto' })).map(lockFrom);
  }

  createIncident(incident: Incident): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: this.incidentItem(incident),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  updateIncident(incident: Incident, expectedVersion: number): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: this.incidentItem(incident),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': put.n(expectedVersion) },
        }),
      ),
    );
  }

  async getIncident(id: string): Promise<Incident | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: put.s(`incident#${id}`), sk: put.s('meta') },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(get.s(Item, 'data')) as Incident) : null;
  }

  async listIncidentsSince(fromIso: string): Promise<Incident[]> {
    const items = await this.queryGsi({ pk: 'incident', from: fromIso, newestFirst: true });
    return items.map((item) => JSON.parse(get.s(item, 'data')) as Incident);
  }

  async putMaintenance(window: MaintenanceWindow): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: put.s(`maintenance#${window.id}`),
          sk: put.s('meta'),
          gsi1pk: put.s('maintenance'),
          gsi1sk: put.s(`${window.endsAt}#${window.id}`),
          data: put.s(JSON.stringify(window)),
        },
      }),
    );
  }

  async deleteMaintenance(id: string): Promise<boolean> {
    const result = await this.client.send(
      new DeleteItemCommand({
        TableName: this.table,
        Key: { pk: put.s(`maintenance#${id}`), sk: put.s('meta') },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return result.Attributes !== undefined;
  }

  async listMaintenance(endsAfterIso: string): Promise<MaintenanceWindow[]> {
    const items = await this.queryGsi({ pk: 'maintenance', from: endsAfterIso });
    return items.map((item) => JSON.parse(get.s(item, 'data')) as MaintenanceWindow);
  }

  private incidentItem(incident: Incident): Item {
    return {
      pk: put.s(`incident#${incident.id}`),
      sk: put.s('meta'),
      gsi1pk: put.s('incident'),
      gsi1sk: put.s(`${incident.startedAt}#${incident.id}`),
      status: put.s(incident.status),
      version: put.n(incident.version),
      data: put.s(JSON.stringify(incident)),
    };
  }

  private queryGsi(query: { pk: string; from?: string; newestFirst?: boolean }): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: query.from === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND gsi1sk >= :from',
      ExpressionAttributeValues: {
        ':pk': put.s(query.pk),
        ...(query.from === undefined ? {} : { ':from': put.s(query.from) }),
      },
      ScanIndexForward: !query.newestFirst,
    });
  }
}

function lockFrom(item: Item): OpenLock {
  return {
    serviceId: get.s(item, 'serviceId'),
    incidentId: get.s(item, 'incidentId'),
    openedAt: get.n(item, 'openedAt'),
  };
}
