import {
  DynamoDBClient,
  GetItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
  type BatchWriteItemCommandInput,
  type BatchWriteItemCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ensureTables, tableNames, type TableNames } from '@app/aws';

/**
 * The medium tier's DynamoDB: a real client talking to the dynalite that the Jest global setup started, and a
 * table set of its own (`prefix`), created on first use. Call `destroy()` in afterAll.
 */
export function testDynamo(prefix: string): {
  client: DynamoDBClient;
  names: TableNames;
  ready: () => Promise<void>;
  destroy: () => void;
} {
  const client = dynamoClient();
  const names = tableNames(prefix);
  return { client, names, ready: () => ensureTables(client, names), destroy: () => client.destroy() };
}

/** A client for the dynalite of the Jest global setup (or another endpoint); dynalite ignores credentials. */
export function dynamoClient(endpoint = process.env.TEST_DYNAMODB_ENDPOINT): DynamoDBClient {
  if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is unset: run medium specs through their Jest project');
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}

/** Records the name of every command the client sends (e.g. "QueryCommand"). */
export function recordCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

/**
 * Simulates DynamoDB throttling a batch: the next `times` BatchWriteItem calls of two or more requests send only
 * the first half of each table's requests and hand the rest back as UnprocessedItems, as AWS does under load.
 * Returns a counter of the batches it throttled.
 */
export function throttleBatchWrites(client: DynamoDBClient, times: number): { throttled: number } {
  const counter = { throttled: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as BatchWriteItemCommandInput;
      const total = Object.values(input.RequestItems ?? {}).reduce((sum, requests) => sum + requests.length, 0);
      if (context.commandName !== 'BatchWriteItemCommand' || counter.throttled >= times || total < 2) return next(args);
      counter.throttled += 1;
      const sent: Record<string, WriteRequest[]> = {};
      const held: Record<string, WriteRequest[]> = {};
      for (const [table, requests] of Object.entries(input.RequestItems ?? {})) {
        const half = Math.ceil(requests.length / 2);
        sent[table] = requests.slice(0, half);
        if (requests.length > half) held[table] = requests.slice(half);
      }
      const result = await next({ ...args, input: { ...input, RequestItems: sent } });
      (result.output as BatchWriteItemCommandOutput).UnprocessedItems = held;
      return result;
    },
    { step: 'initialize', name: `throttleBatchWrites${Math.random()}` },
  );
  return counter;
}

/**
 * The same for reads: the next `times` BatchGetItem calls of two or more keys ask only for the first half of each
 * table's keys and hand the rest back as UnprocessedKeys (DynamoDB does so when throttled or past 16 MB).
 */
export function throttleBatchGets(client: DynamoDBClient, times: number): { throttled: number } {
  const counter = { throttled: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as BatchGetItemCommandInput;
      const total = Object.values(input.RequestItems ?? {}).reduce(
        (sum, request) => sum + (request.Keys?.length ?? 0),
        0,
      );
      if (context.commandName !== 'BatchGetItemCommand' || counter.throttled >= times || total < 2) return next(args);
      counter.throttled += 1;
      const sent: NonNullable<BatchGetItemCommandInput['RequestItems']> = {};
      const held: NonNullable<BatchGetItemCommandInput['RequestItems']> = {};
      for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
        const keys = request.Keys ?? [];
        const half = Math.ceil(keys.length / 2);
        sent[table] = { ...request, Keys: keys.slice(0, half) };
        if (keys.length > half) held[table] = { ...request, Keys: keys.slice(half) };
      }
      const result = await next({ ...args, input: { ...input, RequestItems: sent } });
      (result.output as BatchGetItemCommandOutput).UnprocessedKeys = held;
      return result;
    },
    { step: 'initialize', name: `throttleBatchGets${Math.random()}` },
  );
  return counter;
}

type Plain = string | number | boolean | null | Plain[] | { [name: string]: Plain };

function plain(value: AttributeValue): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined)
    return Object.fromEntries(Object.entries(value.M).map(([key, inner]) => [key, plain(inner)]));
  throw new Error(`unexpected attribute type: ${JSON.stringify(value)}`);
}

/**
 * One item exactly as the table holds it (consistent read), attributes decoded to plain values, or null: what a
 * spec checks when the adapter's own reads would hide how an item is stored.
 */
export async function rawItem(
  client: DynamoDBClient,
  table: string,
  key: Record<string, string | number>,
): Promise<Record<string, Plain> | null> {
  const Key = Object.fromEntries(
    Object.entries(key).map(([name, value]) => [name, typeof value === 'number' ? { N: String(value) } : { S: value }]),
  );
  const { Item } = await client.send(new GetItemCommand({ TableName: table, Key, ConsistentRead: true }));
  return Item ? Object.fromEntries(Object.entries(Item).map(([name, value]) => [name, plain(value)])) : null;
}
