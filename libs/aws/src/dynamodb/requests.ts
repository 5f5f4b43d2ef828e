import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  QueryCommand,
  ScanCommand,
  type DynamoDBClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Item } from './attributes.js';

/**
 * Awaits a conditional write: true when it was applied, false when its condition did not hold (the item was not in
 * the expected state); any other error is thrown.
 */
export async function conditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

type PageRead = (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>;

/** Each page of a paged read in turn, following LastEvaluatedKey across 1 MB pages. */
async function eachPage(read: PageRead, onPage: (items: Item[]) => void): Promise<void> {
  let start: Item | undefined;
  do {
    const page = await read(start);
    onPage(page.Items ?? []);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Every item of a paged read. */
async function allPages(read: PageRead): Promise<Item[]> {
  const items: Item[] = [];
  await eachPage(read, (page) => items.push(...page));
  return items;
}

const from = (start: Item | undefined) => (start ? { ExclusiveStartKey: start } : {});

/** Every item a Query returns, all pages. */
export function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  return allPages((start) => client.send(new QueryCommand({ ...input, ...from(start) })));
}

/** Every item of a table, all pages. */
export function scanAll(client: DynamoDBClient, input: ScanCommandInput): Promise<Item[]> {
  return allPages((start) => client.send(new ScanCommand({ ...input, ...from(start) })));
}

/**
 * A Scan page by page: `onPage` gets each page's items as it arrives, so a caller that keeps only what it makes of
 * them never holds the raw items of the whole table at once.
 */
export function scanEach(
  client: DynamoDBClient,
  input: ScanCommandInput,
  onPage: (items: Item[]) => void,
): Promise<void> {
  return eachPage((start) => client.send(new ScanCommand({ ...input, ...from(start) })), onPage);
}

/** Keys per BatchGetItem request (DynamoDB's limit). */
const BATCH_GET_KEYS = 100;
const BATCH_GET_RETRIES = 8;

/**
 * The items of `keys` that exist (in no particular order), BatchGetItem by BatchGetItem of 100 keys, `parallel`
 * requests in flight; keys handed back unprocessed (throttling, or the 16 MB response limit) are asked again after
 * a short back-off, and an error is thrown when some still are after the last retry (never a silent partial read).
 */
export async function batchGet(client: DynamoDBClient, table: string, keys: Item[], parallel: number): Promise<Item[]> {
  const items: Item[] = [];
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      let batch = keys.slice(next, next + BATCH_GET_KEYS);
      next += BATCH_GET_KEYS;
      for (let attempt = 0; batch.length > 0; attempt += 1) {
        if (attempt > BATCH_GET_RETRIES) throw new Error(`${batch.length} reads from ${table} stayed unprocessed`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const { Responses, UnprocessedKeys } = await client.send(
          new BatchGetItemCommand({ RequestItems: { [table]: { Keys: batch } } }),
        );
        items.push(...(Responses?.[table] ?? []));
        batch = UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return items;
}
