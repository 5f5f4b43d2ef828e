import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';

/** DynamoDB's limit of requests per BatchWriteItem. */
const BATCH_SIZE = 25;
const MAX_RETRIES = 5;

/**
 * Writes (puts or deletes) in BatchWriteItem chunks of 25. A throttled batch comes back partly done with the rest
 * in UnprocessedItems; those are retried with exponential backoff until none remain, and an error is thrown when
 * some still remain after the last retry, so a caller never believes a write happened that did not.
 */
export async function batchWrite(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  for (let index = 0; index < requests.length; index += BATCH_SIZE) {
    let pending = requests.slice(index, index + BATCH_SIZE);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > MAX_RETRIES) throw new Error(`${pending.length} writes to ${table} stayed unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] ?? [];
    }
  }
}
