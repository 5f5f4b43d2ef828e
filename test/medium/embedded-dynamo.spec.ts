import 'reflect-metadata';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoCheckStore, ensureTables, startEmbeddedDynamo, tableNames, TABLES, type EmbeddedDynamo } from '@app/aws';
import type { StoredCheck } from '@app/monitoring';
import { OperatorError } from '@app/common';
import { dynamoClient, testDynamo } from '../support/dynamo.js';
import { createTestApp } from '../support/in-process-app.js';

describe('ensureTables', () => {
  const client = dynamoClient();
  afterAll(() => client.destroy());

  it('creates every table ACTIVE, and a second call succeeds without changing anything', async () => {
    const names = tableNames('medium-ensure-');
    await ensureTables(client, names);
    await expect(ensureTables(client, names)).resolves.toBeUndefined();

    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    const ours = TableNames.filter((name) => name.startsWith('medium-ensure-')).sort();
    expect(ours).toEqual(
      Object.keys(TABLES)
        .map((name) => `medium-ensure-${name}`)
        .sort(),
    );
    for (const name of ours) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    }
  });

  it('creates the secondary indexes the incidents and outbox tables query', async () => {
    const names = tableNames('medium-ensure-');
    const indexes = async (table: string) =>
      (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes?.map(
        (index) => index.IndexName,
      );
    expect(await indexes(names.outbox)).toEqual(['pending']);
    expect(await indexes(names.incidents)).toEqual(['gsi1']);
  });
});

describe('startEmbeddedDynamo', () => {
  let dir: string;
  let dynamo: EmbeddedDynamo | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'embedded-dynamo-'));
  });

  afterEach(async () => {
    await dynamo?.close();
    dynamo = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const check: StoredCheck = {
    serviceId: 'api',
    at: Date.UTC(2026, 0, 10, 12),
    ok: false,
    latencyMs: 812,
    statusCode: 503,
    error: 'HTTP 503',
    state: 'down',
    maintenance: false,
  };

  it('listens on loopback and speaks the DynamoDB protocol', async () => {
    dynamo = await startEmbeddedDynamo(null);
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = dynamoClient(dynamo.endpoint);
    await ensureTables(client, tableNames('mem-'));
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toContain('mem-checks');
    client.destroy();
  });

  it('keeps the data on disk across a close and a restart on the same directory', async () => {
    const names = tableNames('disk-');
    dynamo = await startEmbeddedDynamo(dir);
    let client = dynamoClient(dynamo.endpoint);
    await ensureTables(client, names);
    await new DynamoCheckStore(client, names.checks, 30).append([check]);
    client.destroy();
    await dynamo.close();
    dynamo = null;

    dynamo = await startEmbeddedDynamo(dir);
    client = dynamoClient(dynamo.endpoint);
    await ensureTables(client, names); // a restarted app runs this again: the tables exist already
    expect(await new DynamoCheckStore(client, names.checks, 30).recent('api', 10)).toEqual([check]);
    client.destroy();
  });

  it('starts with no tables when it keeps everything in memory', async () => {
    dynamo = await startEmbeddedDynamo(null);
    const client = dynamoClient(dynamo.endpoint);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames).toEqual([]);
    client.destroy();
  });
});

describe('startup against real DynamoDB (STORAGE=aws) with a missing table', () => {
  it('names the table, the region, the prefix and what creates it, instead of ResourceNotFoundException', async () => {
    const prefix = `missing-${Date.now().toString(36)}-`;
    const db = testDynamo(prefix);
    // Every table but one exists: the error must name exactly the missing one.
    await ensureTables(db.client, { ...db.names, audit: `${prefix}audit-elsewhere` });
    db.destroy();
    const outcome = await createTestApp({ tablePrefix: prefix, env: { STORAGE: 'aws', AWS_REGION: 'eu-west-1' } }).then(
      async (app) => {
        await app.close();
        return new Error('the app started without its audit table');
      },
      (error: unknown) => error as Error,
    );
    expect(outcome).toBeInstanceOf(OperatorError);
    expect(outcome.message).toContain(
      `DynamoDB table "${prefix}audit" does not exist in region eu-west-1 (DYNAMODB_TABLE_PREFIX="${prefix}")`,
    );
    expect(outcome.message).toContain('Terraform creates the tables (terraform/modules/data');
    expect(outcome.message).toMatch(/AWS_ENDPOINT_URL_DYNAMODB/);
  });
});
