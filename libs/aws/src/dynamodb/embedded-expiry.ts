import {
  DeleteItemCommand,
  type AttributeValue,
  QueryCommand,
  ScanCommand,
  type DynamoDBClient,
  type QueryCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { Logger } from '@nestjs/common';
import { put, type Item } from './attributes.js';
import { batchWrite } from './batch-write.js';
import { conditionHolds } from './requests.js';
import { TABLES, TTL_ATTRIBUTE, type TableName, type TableNames, type TableSpec } from './tables.js';

/** Items read per request: small pages keep each request short next to the app's own. */
const PAGE = 100;
const FIRST_PAGE = 25;
/**
 * A sort key after every key of a partition, to resume the partition walk past it: the largest number DynamoDB
 * stores, and the largest code point (keys compare as UTF-8 bytes; ours are ASCII).
 */
const END_OF_PARTITION: Record<'S' | 'N', AttributeValue> = {
  N: { N: '9.9999999999999999999999999999999999999E+125' },
  S: { S: '\u{10FFFF}' },
};

export interface ExpirySchedule {
  /** The first sweep, after the start: the boot (Scan, restore) is not competed with. */
  firstMs: number;
  /** From the end of one sweep to the start of the next. */
  everyMs: number;
}

/** First sweep 10 minutes after the start, then hourly: expired items go within about an hour, as TTL's would. */
export const EXPIRY_SCHEDULE: ExpirySchedule = { firstMs: 600_000, everyMs: 3_600_000 };

export type ExpiredCounts = Partial<Record<TableName, number>>;

const NAMES = { '#ttl': TTL_ATTRIBUTE };

/**
 * What DynamoDB's TTL does in AWS, for the embedded store, which never expires anything (dynalite has no TTL): items
 * whose `expiresAt` (epoch seconds) is before now are deleted, sweep after sweep, so an `npm start` install keeps
 * `CHECK_RETENTION_DAYS` of checks on disk (~70 bytes per check; 1,000 services at 20 s write ~300 MB a day) and the
 * boot's Scan of the state table reads the rollups of `ROLLUP_RETENTION_DAYS`, not every rollup ever written.
 *
 * Each table says how its expiring items are found (`TABLES[..].expiry`):
 *  - `oldest-first`: partition by partition (a Scan of one item finds the next partition), the items under the
 *    sort-key prefix are read in key order and deleted until the first that has not expired — a sweep reads what it
 *    deletes plus one item per partition, never the 30 days of checks that stay. Deleted unconditionally
 *    (BatchWriteItem): nothing writes an item that old again, and its expiry is fixed by its key.
 *  - `scan`: the whole table, filtered on `expiresAt`, each match deleted on the condition that it is still expired
 *    (a replica record renewed by a heartbeat between the read and the delete stays).
 * One request at a time, so the app's own requests to the store interleave with the sweep's.
 */
export class EmbeddedExpiry {
  private readonly logger = new Logger('Storage');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly names: TableNames,
    private readonly schedule: ExpirySchedule = EXPIRY_SCHEDULE,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.plan(this.schedule.firstMs);
  }

  /** Stops the schedule and waits for a sweep in progress to reach its next request boundary. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Deletes every item expired at `now` (ms) in each table that has expiring items; the count per table. */
  async sweep(now = this.clock()): Promise<ExpiredCounts> {
    const nowSeconds = Math.floor(now / 1000);
    const counts: ExpiredCounts = {};
    for (const name of Object.keys(TABLES) as TableName[]) {
      const spec: TableSpec = TABLES[name];
      if (!spec.expiry || this.stopped) continue;
      const [hash] = spec.hash;
      counts[name] =
        spec.expiry.kind === 'oldest-first' && spec.range
          ? await this.sweepOldestFirst(
              this.names[name],
              { hash, range: spec.range[0], rangeType: spec.range[1] },
              spec.expiry.prefix,
              nowSeconds,
            )
          : await this.sweepScan(this.names[name], { hash, range: spec.range?.[0] ?? null }, nowSeconds);
    }
    return counts;
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const started = performance.now();
      const sweep = this.sweep().then(
        (counts) => {
          const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          const tables = Object.entries(counts)
            .filter(([, count]) => count > 0)
            .map(([name, count]) => `${name} ${count}`);
          if (total > 0) this.logger.log(`deleted ${total} expired item(s) in ${seconds} s: ${tables.join(', ')}`);
        },
        (error: unknown) =>
          // The next sweep starts over; nothing is lost by stopping half-way (each delete stands on its own).
          this.logger.warn(`expiry sweep stopped: ${error instanceof Error ? error.message : String(error)}`),
      );
      this.running = sweep;
      void sweep.finally(() => {
        this.running = null;
        this.plan(this.schedule.everyMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async sweepOldestFirst(
    table: string,
    key: PartitionKey,
    prefix: string | undefined,
    nowSeconds: number,
  ): Promise<number> {
    let deleted = 0;
    let after: Item | undefined;
    while (!this.stopped) {
      // The first item after the last partition swept: the next partition's first, in sort-key order (a Scan
      // returns partitions whole). Often it tells that nothing in the partition has expired: one request.
      const next = await this.client.send(
        new ScanCommand({
          TableName: table,
          Limit: 1,
          ProjectionExpression: '#h, #r, #ttl',
          ExpressionAttributeNames: { '#h': key.hash, '#r': key.range, ...NAMES },
          ...(after ? { ExclusiveStartKey: after } : {}),
        }),
      );
      const first = next.Items?.[0];
      if (!first) break;
      const partition = first[key.hash] as AttributeValue;
      if (mayHoldExpired(first[key.range] as AttributeValue, expiresAt(first), prefix, nowSeconds))
        deleted += await this.sweepPartition(table, key, partition, prefix, nowSeconds);
      after = { [key.hash]: partition, [key.range]: END_OF_PARTITION[key.rangeType] };
    }
    return deleted;
  }

  /** Reads the partition's expiring items oldest first and deletes them up to the first that has not expired. */
  private async sweepPartition(
    table: string,
    key: PartitionKey,
    partition: AttributeValue,
    prefix: string | undefined,
    nowSeconds: number,
  ): Promise<number> {
    let deleted = 0;
    let start: Item | undefined;
    // Small first pages: most partitions have a few items to delete, if any (a day's rollup, an hour of checks).
    for (let limit = FIRST_PAGE; !this.stopped; limit = Math.min(PAGE, limit * 2)) {
      const page: QueryCommandOutput = await this.client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: prefix === undefined ? '#h = :h' : '#h = :h AND begins_with(#r, :prefix)',
          ExpressionAttributeNames: { '#h': key.hash, '#r': key.range, ...NAMES },
          ExpressionAttributeValues: { ':h': partition, ...(prefix === undefined ? {} : { ':prefix': put.s(prefix) }) },
          ProjectionExpression: '#h, #r, #ttl',
          Limit: limit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = page.Items ?? [];
      // Items without an expiry (a fencing stub of a rollup) never expire and do not end the partition's sweep.
      const expiries = items.map(expiresAt);
      const notYet = expiries.findIndex((at) => at !== null && at >= nowSeconds);
      const expired = items.filter((_, index) => (notYet === -1 || index < notYet) && expiries[index] !== null);
      if (expired.length > 0) {
        await batchWrite(
          this.client,
          table,
          expired.map((item) => ({ DeleteRequest: { Key: keyOf(item, key) } })),
        );
        deleted += expired.length;
      }
      if (notYet !== -1 || !page.LastEvaluatedKey) break;
      start = page.LastEvaluatedKey;
    }
    return deleted;
  }

  private async sweepScan(table: string, key: KeyNames, nowSeconds: number): Promise<number> {
    let deleted = 0;
    let start: Item | undefined;
    do {
      if (this.stopped) break;
      const page = await this.client.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: '#ttl < :now',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ':now': put.n(nowSeconds) },
          Limit: PAGE,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const gone = await conditionHolds(
          this.client.send(
            new DeleteItemCommand({
              TableName: table,
              Key: keyOf(item, key),
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: { ':now': put.n(nowSeconds) },
            }),
          ),
        );
        if (gone) deleted += 1;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return deleted;
  }
}

interface KeyNames {
  hash: string;
  range: string | null;
}

/** The key of a table walked partition by partition: it has a sort key. */
interface PartitionKey {
  hash: string;
  range: string;
  rangeType: 'S' | 'N';
}

function keyOf(item: Item, { hash, range }: KeyNames): Item {
  const key: Item = { [hash]: item[hash] as AttributeValue };
  if (range !== null) key[range] = item[range] as AttributeValue;
  return key;
}

/**
 * Whether a partition whose first item (in sort-key order) is this one may hold expired items under `prefix`: the
 * oldest item under the prefix tells, unless it has no expiry (a stub) or the first item sorts before the prefix.
 */
function mayHoldExpired(
  range: AttributeValue,
  expiry: number | null,
  prefix: string | undefined,
  nowSeconds: number,
): boolean {
  if (prefix !== undefined) {
    const value = range.S ?? '';
    if (value < prefix) return true;
    if (!value.startsWith(prefix)) return false;
  }
  return expiry === null || expiry < nowSeconds;
}

function expiresAt(item: Item): number | null {
  const value = item[TTL_ATTRIBUTE]?.N;
  return value === undefined ? null : Number(value);
}
