import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  StateAndRollupStore,
  dayNumberOf,
  dayOf,
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
import {
  decodeBuckets,
  decodeFinishedDays,
  encodeBuckets,
  encodeFinishedDays,
  scanFinishedDays,
} from './rollup-codec.js';

const STATE_KEY = 'state';
const DAY_PREFIX = ROLLUP_KEY_PREFIX;
/**
 * The copy of a service's finished days (`saveFinishedDays`): "day#…" < "finished" < "state", so the Query and
 * the Scan with `key >= day#<from>` meet it too (and leave it out: they read the days themselves).
 */
const FINISHED_KEY = 'finished';
const DAY_MS = 86_400_000;
/**
 * The boot reads by key only when at least this share of a sample of the services has a copy of its finished
 * days (a first start, or the first after this layout came, has none: one Scan is then cheaper than a Query per
 * service).
 */
const FINISHED_COVERAGE_PERCENT = 90;
/** Services sampled for that decision (one BatchGetItem). */
const COVERAGE_SAMPLE = 100;
/**
 * ... and only when those copies hold at least this many days on average: a Scan reads an item per day stored and
 * service, by key ~5 per service whatever is stored, each dearer. Measured on the embedded store, 10,000 services: by
 * key 4.3–5.7 s; Scan 34 s with 91 days stored (37 µs an item), while with 2 days stored the boot by key served
 * status 3.6 s later than the Scan (break-even ~13 items per service). In AWS's read units (a BatchGetItem item
 * rounds up to 4 KB, a Scan counts bytes) it is ~17.
 */
export const DEFAULT_KEYED_FROM_DAYS = 14;
/**
 * `load` reads the days from this many days ago on by Query, and the older ones from the copy when it reaches them
 * (a copy is written through the day before yesterday, so one written yesterday still does).
 */
const RECENT_DAYS = 3;
/** Queries in flight for the services without a copy when reading by key. */
const QUERY_PARALLEL = 4;
/**
 * The clean-stop record: a `serviceId` no service can have (ids are `[a-z0-9][a-z0-9_-]*`), and a key that sorts
 * before every `day#` key, so the boot Scan's filter leaves it out.
 */
const CLEAN_STOP_KEY = { serviceId: put.s('#runner'), key: put.s('clean-stop') };
/**
 * Days a rollup is kept after its day begins, unless configured: the 90 the page shows plus room for a calendar
 * quarter's report (92 days). Each day kept is an item per service that a boot's Scan (without copies of the
 * finished days) reads, and in AWS pays for, whatever the filter; 400 until session 35 made a year-old install's
 * boot read ~4.4× the items it uses.
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
    /** The days the sampled copies must hold on average for the boot to read by key (DEFAULT_KEYED_FROM_DAYS). */
    private readonly keyedFromDays = DEFAULT_KEYED_FROM_DAYS,
  ) {
    super();
  }

  /**
   * The service's state and rollups of days >= fromDay. When that reaches further back than the last few days, one
   * Query of the days from RECENT_DAYS ago on (which meets the copy of the finished days and the state too: their
   * keys sort after every day's) usually does, the copy standing in for the older days; without a copy that
   * reaches those days, a second Query reads them all.
   */
  async load(serviceId: string, fromDay: string): Promise<StoredServiceState> {
    const recentFrom = dayOf(Date.now() - RECENT_DAYS * DAY_MS);
    if (recentFrom > fromDay) {
      const items = await this.query(serviceId, recentFrom);
      const copyItem = items.find((item) => item.key?.S === FINISHED_KEY);
      const copy = copyItem === undefined ? null : readFinished(copyItem);
      if (copy !== null && copy.through >= dayBefore(recentFrom)) {
        // (The copy is checked already: `collect` need not check it again.)
        const recent = this.collect(items.filter((item) => item !== copyItem)).get(serviceId) ?? {
          state: null,
          rollups: [],
        };
        const older = finishedBetween(copy, fromDay, recentFrom);
        return { state: recent.state, rollups: [...older, ...recent.rollups], finishedThrough: copy.through };
      }
    }
    return this.collect(await this.query(serviceId, fromDay)).get(serviceId) ?? { state: null, rollups: [] };
  }

  private query(serviceId: string, fromDay: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'serviceId = :id AND #key >= :from',
      ExpressionAttributeNames: { '#key': 'key' },
      ExpressionAttributeValues: { ':id': put.s(serviceId), ':from': put.s(`${DAY_PREFIX}${fromDay}`) },
    });
  }

  /**
   * Every service's state and rollups of days >= fromDay: by key when the catalog's ids are given and the services
   * have copies of their finished days (`loadByKey`), else one Scan of the table (`scanEvery`).
   */
  async loadAll(
    fromDay: string,
    hourSlots = true,
    serviceIds?: readonly string[],
  ): Promise<Map<string, StoredServiceState>> {
    if (!hourSlots && serviceIds !== undefined && serviceIds.length > 0) {
      const byKey = await this.loadByKey(fromDay, serviceIds);
      if (byKey !== null) return byKey;
    }
    return this.scanEvery(fromDay, hourSlots);
  }

  /**
   * The boot by key: each service's state, its copy of the finished days and the rollups of the days after that
   * copy (BatchGetItem, ~3 items per service whatever the retention), and a Query for each service without a copy
   * (added since the last day's turn, or its copy dropped by a late check). Null, to Scan instead, when fewer than
   * FINISHED_COVERAGE_PERCENT % of a sample of the services have a copy, or their copies hold fewer than
   * `keyedFromDays` days on average (a young install: its Scan is cheaper).
   */
  private async loadByKey(
    fromDay: string,
    serviceIds: readonly string[],
  ): Promise<Map<string, StoredServiceState> | null> {
    const step = Math.max(1, Math.floor(serviceIds.length / COVERAGE_SAMPLE));
    const sample = serviceIds.filter((_, index) => index % step === 0).slice(0, COVERAGE_SAMPLE);
    const sampled = await batchGet(
      this.client,
      this.table,
      sample.map((id) => ({ serviceId: put.s(id), key: put.s(FINISHED_KEY) })),
      1,
    );
    const copies = sampled.flatMap((item) => readFinished(item) ?? []);
    if (copies.length * 100 < FINISHED_COVERAGE_PERCENT * sample.length) return null;
    const days = copies.reduce((sum, copy) => sum + copy.days, 0);
    if (days < this.keyedFromDays * copies.length) return null;
    // The sample's copies are kept, not read again (at up to 100 services the sample is every service).
    const finished = new Map(copies.map((copy) => [copy.serviceId, copy]));
    const sampledIds = new Set(sample);
    for (const item of await batchGet(
      this.client,
      this.table,
      serviceIds.filter((id) => !sampledIds.has(id)).map((id) => ({ serviceId: put.s(id), key: put.s(FINISHED_KEY) })),
      BATCH_GET_PARALLEL,
    )) {
      const copy = readFinished(item);
      if (copy !== null) finished.set(copy.serviceId, copy);
    }
    // Up to tomorrow: a replica whose clock runs ahead may have begun it.
    const last = dayOf(Date.now() + DAY_MS);
    const keys: Item[] = [];
    for (const [serviceId, copy] of finished) {
      keys.push({ serviceId: put.s(serviceId), key: put.s(STATE_KEY) });
      for (
        let day = laterDay(copy.through >= fromDay ? copy.through : dayBefore(fromDay));
        day <= last;
        day = laterDay(day)
      )
        keys.push({ serviceId: put.s(serviceId), key: put.s(`${DAY_PREFIX}${day}`) });
    }
    const out = this.collect(await batchGet(this.client, this.table, keys, BATCH_GET_PARALLEL));
    for (const [serviceId, copy] of finished) {
      const entry = out.get(serviceId) ?? { state: null, rollups: [] };
      entry.finishedThrough = copy.through;
      // Decoded when the monitor installs the service, so until then it holds the copy's text, not its objects.
      const shown = copy.lastDay !== null && copy.lastDay >= fromDay;
      if (shown) entry.finishedRollups = () => finishedBetween(copy, fromDay);
      if (entry.state !== null || entry.rollups.length > 0 || shown) out.set(serviceId, entry);
    }
    const rest = serviceIds.filter((id) => !finished.has(id));
    let next = 0;
    const worker = async () => {
      while (next < rest.length) {
        const serviceId = rest[next++] as string;
        const stored = this.collect(await this.query(serviceId, fromDay)).get(serviceId);
        if (stored !== undefined) out.set(serviceId, stored);
      }
    };
    await Promise.all(Array.from({ length: QUERY_PARALLEL }, worker));
    return out;
  }

  /**
   * One pass over the whole table (SCAN_SEGMENTS segments in parallel) for the state items and the rollups of days
   * >= fromDay; without `hourSlots` the rollups are read without their three 24-number hour lists (most of a
   * rollup's bytes, shown for the last 24 hours only; `loadRollups` reads those days whole): at 10,000 services
   * with 7 days stored, ~35 % less CPU for the pass. The filter is applied after the read, so older rollups (kept
   * `rollupRetentionDays`) are read and dropped; that is the price of no per-service round trip.
   */
  private async scanEvery(fromDay: string, hourSlots: boolean): Promise<Map<string, StoredServiceState>> {
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

  /**
   * State and rollups by service from raw items (fence stubs, with only key and epoch, read as nothing stored). A
   * copy of the finished days among them (a Scan's, a Query's) gives its `through` as `finishedThrough` to a
   * service with anything else read: the rollups were read day by day, but the writer then knows the copy is
   * there and does not write it again (at a boot that Scans, every service's copy was written again each time).
   */
  private collect(items: Item[]): Map<string, StoredServiceState> {
    const out = new Map<string, StoredServiceState>();
    let copies: Map<string, string> | null = null;
    for (const item of items) {
      const serviceId = get.s(item, 'serviceId');
      const key = get.s(item, 'key');
      if (key === FINISHED_KEY) {
        // Checked whole when its days were read (a Query); the boot's Scan leaves them out, and a damaged copy it
        // vouches for is written again at the next day's turn all the same (a boot by key reads it as none).
        const through = get.optS(item, 'through');
        if (through !== undefined && dayNumberOf(through) !== null && (item.days === undefined || readFinished(item)))
          (copies ??= new Map()).set(serviceId, through);
        continue;
      }
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
    if (copies !== null)
      for (const [serviceId, through] of copies) {
        const entry = out.get(serviceId);
        if (entry !== undefined) entry.finishedThrough = through;
      }
    return out;
  }

  async saveState(serviceId: string, state: EvaluationState, epoch: number): Promise<boolean> {
    return this.putOwned(
      {
        serviceId: put.s(serviceId),
        key: put.s(STATE_KEY),
        state: put.s(state.state),
        ...(state.since === null ? {} : { since: put.n(state.since) }),
        failStreak: put.n(state.failStreak),
        badStreak: put.n(state.badStreak),
        okStreak: put.n(state.okStreak),
        fastStreak: put.n(state.fastStreak),
      },
      epoch,
    );
  }

  /** Writes the item stamped with `epoch`, unless a newer epoch is stamped on the stored one; false then. */
  private putOwned(item: Item, epoch: number): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...item, epoch: put.n(epoch) },
          ConditionExpression: NOT_NEWER,
          ExpressionAttributeNames: { '#epoch': 'epoch' },
          ExpressionAttributeValues: { ':epoch': put.n(epoch) },
        }),
      ),
    );
  }

  /** `expiresAt` of an item of `day`: ROLLUP_RETENTION_DAYS after the day begins (epoch seconds). */
  private expiresAfter(day: string): number {
    return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + this.rollupRetentionDays * 86_400;
  }

  async saveRollup(rollup: DailyRollup, expectedThrough: number | null, epoch: number): Promise<RollupWrite> {
    const expiresAt = this.expiresAfter(rollup.day);
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

  async fence(serviceId: string, days: readonly string[], epoch: number): Promise<StoredServiceState | null> {
    // A day's stub expires as its rollup would (the item may never get one: no check that day).
    const stamp = async (key: string, expiresAt?: number): Promise<Item | null> => {
      try {
        const { Attributes } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { serviceId: put.s(serviceId), key: put.s(key) },
            UpdateExpression:
              expiresAt === undefined ? 'SET #epoch = :epoch' : 'SET #epoch = :epoch, #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: NOT_NEWER,
            ExpressionAttributeNames: {
              '#epoch': 'epoch',
              ...(expiresAt === undefined ? {} : { '#ttl': TTL_ATTRIBUTE }),
            },
            ExpressionAttributeValues: {
              ':epoch': put.n(epoch),
              ...(expiresAt === undefined ? {} : { ':ttl': put.n(expiresAt) }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ?? null;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return null;
        throw error;
      }
    };
    const items = await Promise.all([
      stamp(STATE_KEY),
      ...days.map((one) => stamp(`${DAY_PREFIX}${one}`, this.expiresAfter(one))),
    ]);
    if (items.some((item) => item === null)) return null;
    return this.collect(items as Item[]).get(serviceId) ?? { state: null, rollups: [] };
  }

  async saveFinishedDays(
    serviceId: string,
    days: readonly DailyRollup[],
    through: string,
    epoch: number,
  ): Promise<boolean> {
    return this.putOwned(
      {
        serviceId: put.s(serviceId),
        key: put.s(FINISHED_KEY),
        through: put.s(through),
        days: put.s(encodeFinishedDays(days)),
        [TTL_ATTRIBUTE]: put.n(this.expiresAfter(through)),
      },
      epoch,
    );
  }

  /** Leaves a stub with the epoch (so an older owner cannot write its copy back), which reads as no copy. */
  async dropFinishedDays(serviceId: string, epoch: number): Promise<boolean> {
    return conditionHolds(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { serviceId: put.s(serviceId), key: put.s(FINISHED_KEY) },
          UpdateExpression: 'SET #epoch = :epoch REMOVE #through, #days',
          ConditionExpression: NOT_NEWER,
          ExpressionAttributeNames: { '#epoch': 'epoch', '#through': 'through', '#days': 'days' },
          ExpressionAttributeValues: { ':epoch': put.n(epoch) },
        }),
      ),
    );
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

/** A stored copy of the finished days, checked whole when read. */
interface FinishedCopy {
  serviceId: string;
  through: string;
  /** The stored text (what `finishedRollups` decodes again, so a boot holds the text, not the objects). */
  text: string;
  /** How many days it holds, and the newest (null: none). */
  days: number;
  lastDay: string | null;
}

/** The copy in an item; null for a dropped copy (a stub), another item, or one that is damaged. */
function readFinished(item: Item): FinishedCopy | null {
  const serviceId = get.optS(item, 'serviceId');
  const through = get.optS(item, 'through');
  const text = get.optS(item, 'days');
  if (serviceId === undefined || through === undefined || text === undefined || dayNumberOf(through) === null)
    return null;
  const scanned = scanFinishedDays(through, text);
  return scanned === null ? null : { serviceId, through, text, ...scanned };
}

/** A checked copy's days from `fromDay` up to `before` (exclusive), decoded anew. */
function finishedBetween(copy: FinishedCopy, fromDay: string, before?: string): DailyRollup[] {
  return decodeFinishedDays(copy.serviceId, copy.through, copy.text, fromDay, before) ?? [];
}

const laterDay = (day: string): string => dayOf(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
const dayBefore = (day: string): string => dayOf(Date.parse(`${day}T00:00:00Z`) - DAY_MS);
