import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CheckStore, type StoredCheck } from '@app/monitoring';
import type { ServiceState } from '@app/contracts';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { TTL_ATTRIBUTE } from '../dynamodb/tables.js';
import { batchWrite } from '../dynamodb/batch-write.js';
import { queryAll } from '../dynamodb/requests.js';

/**
 * Check history: one item per check (serviceId, at), < 1 KB so one write unit each, expiring via TTL on
 * `expiresAt` after the retention period.
 */
export class DynamoCheckStore extends CheckStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retentionDays: number,
  ) {
    super();
  }

  /** Writes in BatchWriteItem chunks of 25 (DynamoDB's limit), retrying unprocessed items with backoff. */
  async append(checks: StoredCheck[]): Promise<void> {
    await batchWrite(
      this.client,
      this.table,
      checks.map((check) => ({ PutRequest: { Item: this.toItem(check) } })),
    );
  }

  async recent(serviceId: string, limit: number): Promise<StoredCheck[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'serviceId = :id',
        ExpressionAttributeValues: { ':id': put.s(serviceId) },
        ScanIndexForward: false,
        Limit: limit,
        // Read at boot and when a shard is taken over: the previous owner's last checks must be seen (an eventually
        // consistent read could miss one stored a moment ago, and the new owner would check again next to it).
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => this.fromItem(item));
  }

  async since(serviceId: string, afterMs: number): Promise<StoredCheck[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'serviceId = :id AND #at > :after',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':id': put.s(serviceId), ':after': put.n(afterMs) },
      ConsistentRead: true,
    });
    return items.map((item) => this.fromItem(item));
  }

  private toItem(check: StoredCheck): Item {
    const item: Item = {
      serviceId: put.s(check.serviceId),
      at: put.n(check.at),
      ok: put.b(check.ok),
      latencyMs: put.n(check.latencyMs),
      state: put.s(check.state),
      [TTL_ATTRIBUTE]: put.n(Math.floor(check.at / 1000) + this.retentionDays * 86_400),
    };
    if (check.statusCode !== undefined) item.statusCode = put.n(check.statusCode);
    if (check.error !== undefined) item.error = put.s(check.error.slice(0, 200));
    if (check.warning !== undefined) item.warning = put.s(check.warning.slice(0, 200));
    if (check.certificateNotAfter !== undefined) item.certNotAfter = put.n(check.certificateNotAfter);
    if (check.maintenance) item.maintenance = put.b(true);
    return item;
  }

  private fromItem(item: Item): StoredCheck {
    const statusCode = get.optN(item, 'statusCode');
    const error = get.optS(item, 'error');
    const warning = get.optS(item, 'warning');
    const certificateNotAfter = get.optN(item, 'certNotAfter');
    return {
      serviceId: get.s(item, 'serviceId'),
      at: get.n(item, 'at'),
      ok: get.b(item, 'ok'),
      latencyMs: get.n(item, 'latencyMs'),
      ...(statusCode === undefined ? {} : { statusCode }),
      ...(error === undefined ? {} : { error }),
      ...(warning === undefined ? {} : { warning }),
      ...(certificateNotAfter === undefined ? {} : { certificateNotAfter }),
      state: get.s(item, 'state') as ServiceState,
      maintenance: get.b(item, 'maintenance'),
    };
  }
}
