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

/** Every item of a paged read, following LastEvaluatedKey across 1 MB pages. */
async function allPages(
  read: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await read(start);
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
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
