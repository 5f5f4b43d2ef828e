import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceState } from '@app/contracts';
import { ChangeFeedStore, type ClusterChange, type FeedEntry, type StoredCheck } from '@app/monitoring';
import { get, put } from '../dynamodb/attributes.js';
import { queryAll } from '../dynamodb/requests.js';
import { TTL_ATTRIBUTE } from '../dynamodb/tables.js';

const FEED = 'feed';
/** Feed items expire after an hour (FEED_RETENTION_MS in the monitoring library). */
const FEED_TTL_SECONDS = 3_600;

/** A check as a feed row: [serviceId, at, ok, latencyMs, statusCode, error, state, maintenance] (≈ 50 bytes). */
type CheckRow = [string, number, 0 | 1, number, number | null, string | null, string, 0 | 1];
type EncodedChange =
  { k: 'c'; c: CheckRow[] } | { k: 's'; id: string } | { k: 'i'; id: string } | { k: 'l'; id: string } | { k: 'm' };

function encode(change: ClusterChange): EncodedChange {
  switch (change.kind) {
    case 'checks':
      return {
        k: 'c',
        c: change.checks.map((check) => [
          check.serviceId,
          check.at,
          check.ok ? 1 : 0,
          check.latencyMs,
          check.statusCode ?? null,
          check.error ?? null,
          check.state,
          check.maintenance ? 1 : 0,
        ]),
      };
    case 'service':
      return { k: 's', id: change.id };
    case 'incident':
      return { k: 'i', id: change.id };
    case 'lock':
      return { k: 'l', id: change.serviceId };
    case 'maintenance':
      return { k: 'm' };
    default: {
      const unreachable: never = change;
      return unreachable;
    }
  }
}

function decode(change: EncodedChange): ClusterChange {
  switch (change.k) {
    case 'c':
      return {
        kind: 'checks',
        checks: change.c.map(([serviceId, at, ok, latencyMs, statusCode, error, state, maintenance]): StoredCheck => ({
          serviceId,
          at,
          ok: ok === 1,
          latencyMs,
          ...(statusCode === null ? {} : { statusCode }),
          ...(error === null ? {} : { error }),
          state: state as ServiceState,
          maintenance: maintenance === 1,
        })),
      };
    case 's':
      return { kind: 'service', id: change.id };
    case 'i':
      return { kind: 'incident', id: change.id };
    case 'l':
      return { kind: 'lock', serviceId: change.id };
    case 'm':
      return { kind: 'maintenance' };
    default: {
      const unreachable: never = change;
      return unreachable;
    }
  }
}

/**
 * The change feed: partition `feed` of the `coord` table, sort key `<ms>#<writer>#<seq>`, one item per publish
 * (a writer's checks of up to a second and the keys of what else it changed), compact JSON in `data`, expiring
 * after an hour. Readers Query `sk > position` with strong consistency.
 */
export class DynamoChangeFeedStore extends ChangeFeedStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {
    super();
  }

  async append(entry: FeedEntry): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: put.s(FEED),
          sk: put.s(entry.sk),
          writer: put.s(entry.writer),
          at: put.n(entry.at),
          data: put.s(JSON.stringify(entry.changes.map(encode))),
          [TTL_ATTRIBUTE]: put.n(Math.floor(entry.at / 1000) + FEED_TTL_SECONDS),
        },
      }),
    );
  }

  async readAfter(afterSk: string): Promise<FeedEntry[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': put.s(FEED), ':after': put.s(afterSk) },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      sk: get.s(item, 'sk'),
      writer: get.s(item, 'writer'),
      at: get.n(item, 'at'),
      changes: (JSON.parse(get.s(item, 'data')) as EncodedChange[]).map(decode),
    }));
  }
}
