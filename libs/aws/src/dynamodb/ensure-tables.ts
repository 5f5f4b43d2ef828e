import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { OperatorError } from '@app/common';
import { createTableInput, TABLES, type TableName, type TableNames } from './tables.js';

/** Local mode only: create any missing table and wait until it is ACTIVE (in AWS, Terraform owns the tables). */
export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    (Object.keys(TABLES) as TableName[]).map(async (name) => {
      try {
        await client.send(new CreateTableCommand(createTableInput(name, names[name])));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: names[name] }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`table ${names[name]} did not become ACTIVE`);
    }),
  );
}

/**
 * Real DynamoDB (STORAGE=aws): the tables are Terraform's, so check they are all there before anything reads
 * them, and say which one is missing, where it was looked for and what creates it — not the SDK's bare
 * "ResourceNotFoundException: Requested resource not found" from the first read.
 */
export async function verifyTables(
  client: DynamoDBClient,
  names: TableNames,
  where: { region: string; prefix: string },
): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    (Object.keys(TABLES) as TableName[]).map(async (name) => {
      try {
        await client.send(new DescribeTableCommand({ TableName: names[name] }));
      } catch (error) {
        if (error instanceof ResourceNotFoundException) missing.push(names[name]);
        else throw error;
      }
    }),
  );
  if (missing.length === 0) return;
  const tables = missing
    .sort()
    .map((table) => `"${table}"`)
    .join(', ');
  throw new OperatorError(
    `DynamoDB table${missing.length > 1 ? 's' : ''} ${tables} ${missing.length > 1 ? 'do' : 'does'} not exist in region ${where.region} (DYNAMODB_TABLE_PREFIX="${where.prefix}"). ` +
      'In AWS, Terraform creates the tables (terraform/modules/data, applied from terraform/envs/<env>): apply it, ' +
      'or set AWS_REGION and DYNAMODB_TABLE_PREFIX to where it created them. For a local DynamoDB, set ' +
      'AWS_ENDPOINT_URL_DYNAMODB without STORAGE=aws and the app creates its own tables.',
  );
}
