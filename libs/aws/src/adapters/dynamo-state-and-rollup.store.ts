import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  LATENCY_BUCKETS_MS,
  StateAndRollupStore,
  type DailyRollup,
  type EvaluationState,
  type RollupKey,
  type RollupWrite,
  type StoredServiceState,
} from '@app/monitoring';
import { get, put, type Item } from '../dynamodb/attributes.js';
import { ROLLUP_KEY_PREFIX, TTL_ATTRIBUTE } from '../dynamodb/tables.js';
import { batchWrite } from '../dynamodb/batch-write.js';
import { batchGet, conditionHolds, queryAll, scanAll } from '../dynamodb/requests.js';

const STATE_KEY = 'state';
const DAY_PREFIX = ROLLUP_KEY_PREFIX;
/**
 * The clean-stop record: a `serviceId` no service can have (ids are `[a-z0-9][a-z0-9_-]*`), and a key that sorts
 * before every `day#` key, so the boot Scan's filter leaves it out.
 */
const CLEAN_STOP_KEY = { serviceId: put.s('#runner'), key: put.s('clean-stop') };
/**
 * Days a rollup is kept after its day begins, unless configured: the 90 the page shows plus room for a calendar
 * quarter's report (92 days). Each day kept is an item per service that the boot's Scan reads (and, in AWS, pays
 * for) whatever the filter; 400 until session 35 made a year-old install's boot read ~4.4× the items it uses.
 */
export const DEFAULT_ROLLUP_RETENTION_DAYS = 100;
/** Every write of the shard's owner: refused once a newer owner stamped a higher fencing epoch on the item. */
const NOT_NEWER = '(attribute_not_exists(#epoch) OR #epoch <= :epoch)';
/**
 * Parallel segments of the boot Scan. Each reads its own hash range in 1 MB pages; four keep a 2-core host busy
 * without starving the HTTP server that starts right after (DynamoDB itself would take many more).
 */
const SCAN_SEGMENTS = 4;
/** BatchGetItem requests of `loadRollups` in flight at once. */
const BATCH_GET_PARALLEL = 4;
/** What the boot Scan reads of each item: everything the runner keeps, except the rollups' hour slots. */
const SCAN_PROJECTION = [
  'serviceId',
  'state',
  'since',
  'failStreak',
  'badStreak',
  'okStreak',
  'fastStreak',
  'total',
  'failures',
  'maintenance',
  'latencySum',
  'latencyCount',
  'latencyHist',
  'through',
] as const;

/**
 * Per service: one `state` item (evaluation state + streak counters) and one `day#YYYY-MM-DD` item per day of
 * rollups. "state" sorts after every "day#…" key, so one Query with `key >= day#<from>` returns both. Every item
 * carries `epoch`, the fencing token of the replica that wrote it last; a write with an older epoch is refused.
 * A new owner stamps its epoch first (`fence`), which may leave an item with only its key and epoch: such stubs
 * read as "nothing stored".
 */
export class DynamoStateAndRollupStore extends StateAndRollupStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly rollupRetentionDays = DEFAULT_ROLLUP_RETENTION_DAYS,
  ) {
    super();
  }

  async load(serviceId: string, fromDay: string): Promise<StoredServiceState> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'serviceId = :id AND #key >= :from',
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':id': put.s(serviceId), ':from': put.s(`${DAY_PREFIX}${fromDay}`) },
    });
    return this.collect(items).get(serviceId) ?? { state: null, rollups: [] };
  }

  /**
   * One pass over the whole table (SCAN_SEGMENTS segments in parallel) for the state items and the rollups of days
   * >= fromDay; without `hourSlots` the rollups are read without their three 24-number hour lists (most of a
   * rollup's bytes, shown for the last 24 hours only; `loadRollups` reads those days whole): at 10,000 services
   * with 7 days stored, ~35 % less CPU for the pass. The filter is applied after the read, so older rollups (kept
   * `rollupRetentionDays`) are read and dropped; that is the price of no per-service round trip.
   */
  async loadAll(fromDay: string, hourSlots = true): Promise<Map<string, StoredServiceState>> {
    const projection = hourSlots
      ? {}
      : {
          ProjectionExpression: ['#key', ...SCAN_PROJECTION.map((name) => `#${name}`)].join(', '),
          ExpressionAttributeNames: {
            '#key': 'key',
            ...Object.fromEntries(SCAN_PROJECTION.map((name) => [`#${name}`, name])),
          },
        };
    const segments = await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, (_, segment) =>
        scanAll(this.client, {
          TableName: this.table,
          Segment: segment,
          TotalSegments: SCAN_SEGMENTS,
          FilterExpression: '#key >= :from',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: { ':from': put.s(`${DAY_PREFIX}${fromDay}`) },
          ...projection,
        }),
      ),
    );
    return this.collect(segments.flat());
  }

  /** Whole rollup items (hour slots included) of these services and days: one BatchGetItem per 100 keys. */
  async loadRollups(keys: readonly RollupKey[]): Promise<DailyRollup[]> {
    const items = await batchGet(
      this.client,
      this.table,
      keys.map(({ serviceId, day }) => ({ serviceId: put.s(serviceId), key: put.s(`${DAY_PREFIX}${day}`) })),
      BATCH_GET_PARALLEL,
    );
    return [...this.collect(items).values()].flatMap((stored) => stored.rollups);
  }

  /** State and rollups by service from raw items (fence stubs, with only key and epoch, read as nothing stored). */
  private collect(items: Item[]): Map<string, StoredServiceState> {
    const out = new Map<string, StoredServiceState>();
    for (const item of items) {
      const serviceId = get.s(item, 'serviceId');
      const key = get.s(item, 'key');
      const isState = key === STATE_KEY && item.state !== undefined;
      const isRollup = key.startsWith(DAY_PREFIX) && item.through !== undefined;
      if (!isState && !isRollup) continue;
      let entry = out.get(serviceId);
      if (!entry) {
        entry = { state: null, rollups: [] };
        out.set(serviceId, entry);
      }
      if (isState) entry.state = this.stateFromItem(item);
      else entry.rollups.push(this.rollupFromItem(serviceId, key.slice(DAY_PREFIX.length), item));
    }
    for (const entry of out.values()) entry.rollups.sort((a, b) => a.day.localeCompare(b.day));
    return out;
  }

  async saveState(serviceId: string, state: EvaluationState, epoch: number): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            serviceId: put.s(serviceId),
            key: put.s(STATE_KEY),
            state: put.s(state.state),
            ...(state.since === null ? {} : { since: put.n(state.since) }),
            failStreak: put.n(state.failStreak),
            badStreak: put.n(state.badStreak),
            okStreak: put.n(state.okStreak),
            fastStreak: put.n(state.fastStreak),
            epoch: put.n(epoch),
          },
          ConditionExpression: NOT_NEWER,
          ExpressionAttributeNames: { '#epoch': 'epoch' },
          ExpressionAttributeValues: { ':epoch': put.n(epoch) },
        }),
      ),
    );
  }

  async saveRollup(rollup: DailyRollup, expectedThrough: number | null, epoch: number): Promise<RollupWrite> {
    const expiresAt = Math.floor(Date.parse(`${rollup.day}T00:00:00Z`) / 1000) + this.rollupRetentionDays * 86_400;
    const saved = await conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            serviceId: put.s(rollup.serviceId),
            key: put.s(`${DAY_PREFIX}${rollup.day}`),
            total: put.n(rollup.total),
            failures: put.n(rollup.failures),
            maintenance: put.n(rollup.maintenance),
            latencySum: put.n(rollup.latencySum),
            latencyCount: put.n(rollup.latencyCount),
            hourTotal: put.ns(rollup.hourTotal),
            hourFailures: put.ns(rollup.hourFailures),
            hourLatencySum: put.ns(rollup.hourLatencySum),
            ...(rollup.latencyBuckets.some((count) => count > 0)
              ? { latencyHist: put.s(encodeBuckets(rollup.latencyBuckets)) }
              : {}),
            through: put.n(rollup.through),
            epoch: put.n(epoch),
            [TTL_ATTRIBUTE]: put.n(expiresAt),
          },
          ConditionExpression: `${expectedThrough === null ? 'attribute_not_exists(#through)' : '#through = :expected'} AND ${NOT_NEWER}`,
          ExpressionAttributeNames: { '#through': 'through', '#epoch': 'epoch' },
          ExpressionAttributeValues: {
            ':epoch': put.n(epoch),
            ...(expectedThrough === null ? {} : { ':expected': put.n(expectedThrough) }),
          },
        }),
      ),
    );
    if (saved) return 'saved';
    // Which condition failed? (Rare: a concurrent writer or a takeover; one consistent read tells them apart.)
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { serviceId: put.s(rollup.serviceId), key: put.s(`${DAY_PREFIX}${rollup.day}`) },
        ConsistentRead: true,
        ProjectionExpression: '#epoch',
        ExpressionAttributeNames: { '#epoch': 'epoch' },
      }),
    );
    return (Item ? (get.optN(Item, 'epoch') ?? 0) : 0) > epoch ? 'fenced' : 'conflict';
  }

  async fence(serviceId: string, day: string, epoch: number): Promise<boolean> {
    const stamp = (key: string) =>
      conditionHolds(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { serviceId: put.s(serviceId), key: put.s(key) },
            UpdateExpression: 'SET #epoch = :epoch',
            ConditionExpression: NOT_NEWER,
            ExpressionAttributeNames: { '#epoch': 'epoch' },
            ExpressionAttributeValues: { ':epoch': put.n(epoch) },
          }),
        ),
      );
    const [state, today] = await Promise.all([stamp(STATE_KEY), stamp(`${DAY_PREFIX}${day}`)]);
    return state && today;
  }

  async remove(serviceId: string): Promise<void> {
    const keys = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'serviceId = :id',
      ExpressionAttributeValues: { ':id': put.s(serviceId) },
      ProjectionExpression: 'serviceId, #key',
      ExpressionAttributeNames: { '#key': 'key' },
    });
    await batchWrite(
      this.client,
      this.table,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  async markCleanStop(at: number): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: { ...CLEAN_STOP_KEY, at: put.n(at) } }));
  }

  async takeCleanStop(): Promise<number | null> {
    const { Attributes } = await this.client.send(
      new DeleteItemCommand({ TableName: this.table, Key: CLEAN_STOP_KEY, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes ? (get.optN(Attributes, 'at') ?? null) : null;
  }

  private stateFromItem(item: Item): EvaluationState {
    return {
      state: get.s(item, 'state') as EvaluationState['state'],
      since: get.optN(item, 'since') ?? null,
      failStreak: get.n(item, 'failStreak'),
      badStreak: get.n(item, 'badStreak'),
      okStreak: get.n(item, 'okStreak'),
      fastStreak: get.n(item, 'fastStreak'),
    };
  }

  private rollupFromItem(serviceId: string, day: string, item: Item): DailyRollup {
    return {
      serviceId,
      day,
      total: get.n(item, 'total'),
      failures: get.n(item, 'failures'),
      maintenance: get.n(item, 'maintenance'),
      latencySum: get.n(item, 'latencySum'),
      latencyCount: get.n(item, 'latencyCount'),
      hourTotal: get.ns(item, 'hourTotal'),
      hourFailures: get.ns(item, 'hourFailures'),
      hourLatencySum: get.ns(item, 'hourLatencySum'),
      latencyBuckets: decodeBuckets(get.optS(item, 'latencyHist')),
      through: get.n(item, 'through'),
    };
  }
}

/** The latency histogram as "bucket:count" pairs of its non-empty buckets ("6:118,7:2"): a few bytes per item. */
export function encodeBuckets(buckets: readonly number[]): string {
  return buckets
    .map((count, index) => (count > 0 ? `${index}:${count}` : ''))
    .filter((pair) => pair !== '')
    .join(',');
}

/** The histogram back as one counter per bucket; empty (no percentiles) when the item has none or it is damaged. */
export function decodeBuckets(text: string | undefined): number[] {
  if (text === undefined || text === '') return [];
  const buckets = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0);
  for (const pair of text.split(',')) {
    const [index, count] = pair.split(':').map(Number);
    if (index === undefined || count === undefined || !Number.isInteger(index) || !(count >= 0)) return [];
    if (index < 0 || index >= buckets.length) return [];
    buckets[index] = count;
  }
  return buckets;
}
