import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeartbeatStore, type HeartbeatPing, type HeartbeatRecord } from '@app/monitoring';
import { get, put } from '../dynamodb/attributes.js';
import { conditionHolds } from '../dynamodb/requests.js';

const KEY = 'heartbeat';

/**
 * Heartbeat tokens and last pings: one `heartbeat` item per service in the state table (so deleting a service's
 * state deletes it too). A ping is one UpdateItem conditioned on the token hash — any replica can take it, a
 * rotated token fails the condition — and the owner's check reads it with one consistent GetItem.
 */
export class DynamoHeartbeatStore extends HeartbeatStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  private key(serviceId: string) {
    return { serviceId: put.s(serviceId), key: put.s(KEY) };
  }

  async setToken(serviceId: string, tokenHash: string, now: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(serviceId),
        UpdateExpression: 'SET tokenHash = :hash, createdAt = if_not_exists(createdAt, :now)',
        ExpressionAttributeValues: { ':hash': put.s(tokenHash), ':now': put.n(now) },
      }),
    );
  }

  recordPing(serviceId: string, tokenHash: string, ping: HeartbeatPing): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(serviceId),
          UpdateExpression:
            ping.message === null
              ? 'SET lastPingAt = :at, lastStatus = :status REMOVE lastMessage ADD pings :one'
              : 'SET lastPingAt = :at, lastStatus = :status, lastMessage = :message ADD pings :one',
          ConditionExpression: 'tokenHash = :hash',
          ExpressionAttributeValues: {
            ':hash': put.s(tokenHash),
            ':at': put.n(ping.at),
            ':status': put.s(ping.status),
            ':one': put.n(1),
            ...(ping.message === null ? {} : { ':message': put.s(ping.message) }),
          },
        }),
      ),
    );
  }

  async get(serviceId: string): Promise<HeartbeatRecord | null> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: this.key(serviceId), ConsistentRead: true }),
    );
    if (!item) return null;
    const status = get.optS(item, 'lastStatus');
    return {
      tokenHash: get.s(item, 'tokenHash'),
      createdAt: get.n(item, 'createdAt'),
      lastPingAt: get.optN(item, 'lastPingAt') ?? null,
      lastStatus: status === 'ok' || status === 'fail' ? status : null,
      lastMessage: get.optS(item, 'lastMessage') ?? null,
    };
  }
}
