import {
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  NOTIFICATION_CHANNELS,
  OUTBOX_RETENTION_DAYS,
  OutboxStore,
  type Notification,
  type NotificationChannel,
  type OutboxItem,
} from '@app/incidents';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { TTL_ATTRIBUTE } from '../dynamodb/tables.js';
import { conditionHolds } from '../dynamodb/requests.js';

/** One pending partition per channel: a hung channel's backlog never hides the other channel's items. */
const pendingKey = (channel: NotificationChannel) => `pending#${channel}`;

/**
 * The alert outbox. `pendingKey` (`pending#<channel>`) exists only while an item still has to be delivered, so
 * the sparse GSI `pending` (pendingKey, dueAt) lists exactly the work left, per channel. Lease, sent and retry are conditional updates.
 */
export class DynamoOutboxStore extends OutboxStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  enqueue(item: OutboxItem): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            id: put.s(item.id),
            incidentId: put.s(item.incidentId),
            channel: put.s(item.channel),
            notification: put.s(JSON.stringify(item.notification)),
            createdAt: put.n(item.createdAt),
            attempts: put.n(item.attempts),
            dueAt: put.n(item.dueAt),
            status: put.s('pending'),
            pendingKey: put.s(pendingKey(item.channel)),
            [TTL_ATTRIBUTE]: put.n(Math.floor(item.createdAt / 1000) + OUTBOX_RETENTION_DAYS * 86_400),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    );
  }

  async due(now: number, limit: number, channel?: NotificationChannel): Promise<OutboxItem[]> {
    if (channel === undefined) {
      const all = (await Promise.all(NOTIFICATION_CHANNELS.map((one) => this.due(now, limit, one)))).flat();
      return all.sort((a, b) => a.dueAt - b.dueAt).slice(0, limit);
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'pending',
        KeyConditionExpression: 'pendingKey = :pending AND dueAt <= :now',
        ExpressionAttributeValues: { ':pending': put.s(pendingKey(channel)), ':now': put.n(now) },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(fromItem);
  }

  /** A COUNT query on the sparse `pending` index: it holds only undelivered items, so this reads little. */
  async pendingCount(channel: NotificationChannel): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'pending',
          KeyConditionExpression: 'pendingKey = :pending',
          ExpressionAttributeValues: { ':pending': put.s(pendingKey(channel)) },
          Select: 'COUNT',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  claim(id: string, leaseUntil: number, now: number): Promise<boolean> {
    return this.update(id, {
      UpdateExpression: 'SET leaseUntil = :lease',
      ConditionExpression: 'attribute_exists(pendingKey) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      ExpressionAttributeValues: { ':lease': put.n(leaseUntil), ':now': put.n(now) },
    });
  }

  markSent(id: string, leaseUntil: number, now: number): Promise<boolean> {
    return this.update(id, {
      UpdateExpression: 'SET #status = :sent, sentAt = :now REMOVE pendingKey, leaseUntil',
      ConditionExpression: 'leaseUntil = :lease',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': put.s('sent'), ':now': put.n(now), ':lease': put.n(leaseUntil) },
    });
  }

  async reschedule(
    id: string,
    leaseUntil: number,
    update: { dueAt: number; attempts: number; error: string; giveUp: boolean },
  ): Promise<void> {
    await this.update(id, {
      UpdateExpression: update.giveUp
        ? 'SET attempts = :attempts, lastError = :error, #status = :failed REMOVE leaseUntil, pendingKey'
        : 'SET attempts = :attempts, lastError = :error, dueAt = :due REMOVE leaseUntil',
      ConditionExpression: 'leaseUntil = :lease',
      ...(update.giveUp ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
      ExpressionAttributeValues: {
        ':attempts': put.n(update.attempts),
        ':error': put.s(update.error || 'unknown error'),
        ':lease': put.n(leaseUntil),
        ...(update.giveUp ? { ':failed': put.s('failed') } : { ':due': put.n(update.dueAt) }),
      },
    });
  }

  /** A conditional update of one item: false when it was not in the expected state (lease lost, already sent). */
  private update(id: string, update: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<boolean> {
    return conditionHolds(
      this.client.send(new UpdateItemCommand({ TableName: this.table, Key: { id: put.s(id) }, ...update })),
    );
  }
}

function fromItem(item: Item): OutboxItem {
  return {
    id: get.s(item, 'id'),
    incidentId: get.s(item, 'incidentId'),
    channel: get.s(item, 'channel') as OutboxItem['channel'],
    notification: JSON.parse(get.s(item, 'notification')) as Notification,
    createdAt: get.n(item, 'createdAt'),
    attempts: get.n(item, 'attempts'),
    dueAt: get.n(item, 'dueAt'),
    status: get.s(item, 'status') as OutboxItem['status'],
    lastError: get.optS(item, 'lastError') ?? null,
    sentAt: get.optN(item, 'sentAt') ?? null,
  };
}
