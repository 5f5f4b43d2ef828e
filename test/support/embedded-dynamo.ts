import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoCheckStore, ensureTables, tableNames, type EmbeddedDynamo } from '@app/aws';
import type { StoredCheck } from '@app/monitoring';
import { dynamoClient } from './dynamo.js';

/** The check the embedded-store specs write and read back. */
export const STORED_CHECK: StoredCheck = {
  serviceId: 'api',
  at: Date.UTC(2026, 0, 10, 12),
  ok: false,
  latencyMs: 812,
  statusCode: 503,
  error: 'HTTP 503',
  state: 'down',
  maintenance: false,
};

/**
 * A fresh directory for each test of the enclosing describe, and the store a test started in it (`use`), closed
 * and removed after the test.
 */
export function embeddedDynamoPerTest(prefix: string): {
  dir: () => string;
  use: <T extends EmbeddedDynamo>(store: T) => T;
} {
  let dir = '';
  let dynamo: EmbeddedDynamo | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await dynamo?.close();
    dynamo = null;
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    use: (store) => (dynamo = store),
  };
}

/**
 * Starts a store with `start`, writes STORED_CHECK through it, closes it (`betweenStarts` runs then), starts
 * another on the same directory and reads the check back, creating the tables again as a restarted app does.
 * Returns the second store; `start` should hand each store to `embeddedDynamoPerTest().use`, which closes it.
 */
export async function checkSurvivesRestart(
  start: () => Promise<EmbeddedDynamo>,
  betweenStarts: () => void = () => undefined,
): Promise<EmbeddedDynamo> {
  const names = tableNames('disk-');
  const first = await start();
  let client = dynamoClient(first.endpoint);
  await ensureTables(client, names);
  await new DynamoCheckStore(client, names.checks, 30).append([STORED_CHECK]);
  client.destroy();
  await first.close();
  betweenStarts();
  const second = await start();
  client = dynamoClient(second.endpoint);
  await ensureTables(client, names);
  expect(await new DynamoCheckStore(client, names.checks, 30).recent('api', 10)).toEqual([STORED_CHECK]);
  client.destroy();
  return second;
}

/** Creates the tables under `prefix` through the store at `endpoint` and finds them in ListTables. */
export async function expectTablesCreated(endpoint: string, prefix: string): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    await ensureTables(client, tableNames(prefix));
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toContain(`${prefix}checks`);
  } finally {
    client.destroy();
  }
}
