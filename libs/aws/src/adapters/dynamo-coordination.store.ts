import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CoordinationStore,
  type HeartbeatResult,
  type ReplicaRecord,
  type SeenShard,
  type ShardRecord,
} from '@app/monitoring';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { conditionHolds, queryAll } from '../dynamodb/requests.js';
import { TTL_ATTRIBUTE } from '../dynamodb/tables.js';

const REPLICA = 'replica';
const SHARD = 'shard';
/** A membership item that stopped heartbeating disappears a day later (TTL); the janitor usually deletes it sooner. */
const REPLICA_TTL_SECONDS = 86_400;

const shardKey = (shard: number) => put.s(String(shard).padStart(2, '0'));

/**
 * The coordination items of the `coord` table (pk / sk, see libs/aws/README.md):
 *  - membership   replica / <replicaId>   incarnation, startedAt, heartbeatAt, seq, leaseMs, expiresAt
 *  - shard lease  shard / <00..31>        owner (absent = free), epoch, since, takenFrom
 *  - counter      epoch / counter         value: the last fencing token handed out
 * Every write is a single-item conditional write; reads are strongly consistent Queries of one partition.
 */
export class DynamoCoordinationStore extends CoordinationStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async register(replica: ReplicaRecord): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: put.s(REPLICA),
          sk: put.s(replica.replicaId),
          replicaId: put.s(replica.replicaId),
          incarnation: put.s(replica.incarnation),
          startedAt: put.n(replica.startedAt),
          heartbeatAt: put.n(replica.heartbeatAt),
          seq: put.n(replica.seq),
          leaseMs: put.n(replica.leaseMs),
          [TTL_ATTRIBUTE]: put.n(Math.floor(replica.heartbeatAt / 1000) + REPLICA_TTL_SECONDS),
        },
      }),
    );
  }

  async heartbeat(replicaId: string, incarnation: string, seq: number, at: number): Promise<HeartbeatResult> {
    const renewed = await conditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: put.s(REPLICA), sk: put.s(replicaId) },
          UpdateExpression: 'SET heartbeatAt = :at, seq = :seq, #ttl = :ttl',
          ConditionExpression: 'incarnation = :incarnation',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':at': put.n(at),
            ':seq': put.n(seq),
            ':ttl': put.n(Math.floor(at / 1000) + REPLICA_TTL_SECONDS),
            ':incarnation': put.s(incarnation),
          },
        }),
      ),
    );
    if (renewed) return 'renewed';
    // Another incarnation registered (superseded), or our item is gone (expired and forgotten): tell them apart.
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: put.s(REPLICA), sk: put.s(replicaId) },
        ConsistentRead: true,
      }),
    );
    return Item ? 'superseded' : 'missing';
  }

  async leave(replicaId: string, incarnation: string): Promise<void> {
    await conditionHolds(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: put.s(REPLICA), sk: put.s(replicaId) },
          ConditionExpression: 'incarnation = :incarnation',
          ExpressionAttributeValues: { ':incarnation': put.s(incarnation) },
        }),
      ),
    );
  }

  async forget(replicaId: string, seq: number): Promise<void> {
    await conditionHolds(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: { pk: put.s(REPLICA), sk: put.s(replicaId) },
          ConditionExpression: 'seq = :seq',
          ExpressionAttributeValues: { ':seq': put.n(seq) },
        }),
      ),
    );
  }

  async replicas(): Promise<ReplicaRecord[]> {
    return (await this.partition(REPLICA)).map((item) => ({
      replicaId: get.s(item, 'replicaId'),
      incarnation: get.s(item, 'incarnation'),
      startedAt: get.n(item, 'startedAt'),
      heartbeatAt: get.n(item, 'heartbeatAt'),
      seq: get.n(item, 'seq'),
      leaseMs: get.n(item, 'leaseMs'),
    }));
  }

  async shards(): Promise<ShardRecord[]> {
    return (await this.partition(SHARD)).map((item) => ({
      shard: Number(get.s(item, 'sk')),
      owner: get.optS(item, 'owner') ?? null,
      epoch: get.n(item, 'epoch'),
      since: get.n(item, 'since'),
      takenFrom: get.optS(item, 'takenFrom') ?? null,
    }));
  }

  async nextEpoch(): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: { pk: put.s('epoch'), sk: put.s('counter') },
        UpdateExpression: 'ADD #value :one',
        ExpressionAttributeNames: { '#value': 'value' },
        ExpressionAttributeValues: { ':one': put.n(1) },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    if (!Attributes) throw new Error('the epoch counter returned no value');
    return get.n(Attributes, 'value');
  }

  claim(shard: number, seen: SeenShard | null, owner: string, epoch: number, at: number): Promise<boolean> {
    const condition =
      seen === null
        ? 'attribute_not_exists(pk)'
        : seen.owner === null
          ? 'attribute_not_exists(#owner) AND #epoch = :seenEpoch'
          : '#owner = :seenOwner AND #epoch = :seenEpoch';
    const taken = seen?.owner ?? null;
    return conditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: put.s(SHARD), sk: shardKey(shard) },
          UpdateExpression: `SET #owner = :owner, #epoch = :epoch, since = :at${taken === null ? ' REMOVE takenFrom' : ', takenFrom = :taken'}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            '#owner': 'owner',
            '#epoch': 'epoch',
          },
          ExpressionAttributeValues: {
            ':owner': put.s(owner),
            ':epoch': put.n(epoch),
            ':at': put.n(at),
            ...(taken === null ? {} : { ':taken': put.s(taken) }),
            ...(seen === null ? {} : { ':seenEpoch': put.n(seen.epoch) }),
            ...(seen?.owner ? { ':seenOwner': put.s(seen.owner) } : {}),
          },
        }),
      ),
    );
  }

  release(shard: number, owner: string, epoch: number, at: number): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: put.s(SHARD), sk: shardKey(shard) },
          UpdateExpression: 'SET since = :at REMOVE #owner, takenFrom',
          ConditionExpression: '#owner = :owner AND #epoch = :epoch',
          ExpressionAttributeNames: { '#owner': 'owner', '#epoch': 'epoch' },
          ExpressionAttributeValues: { ':owner': put.s(owner), ':epoch': put.n(epoch), ':at': put.n(at) },
        }),
      ),
    );
  }

  private partition(pk: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': put.s(pk) },
      ConsistentRead: true,
    });
  }
}
