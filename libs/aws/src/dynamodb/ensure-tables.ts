import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
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
