import {
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
