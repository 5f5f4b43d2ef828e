import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

/**
 * Every table the product uses. Terraform (terraform/modules/data) creates the same tables in AWS; locally the
 * app creates them. Keep libs/aws/README.md in step with this list.
 */
export const TABLES = {
  checks: { hash: ['serviceId', 'S'], range: ['at', 'N'] },
  state: { hash: ['serviceId', 'S'], range: ['key', 'S'] },
  services: { hash: ['id', 'S'] },
  incidents: {
    hash: ['pk', 'S'],
    range: ['sk', 'S'],
    gsi: [{ name: 'gsi1', hash: ['gsi1pk', 'S'], range: ['gsi1sk', 'S'] }],
  },
  outbox: { hash: ['id', 'S'], gsi: [{ name: 'pending', hash: ['pendingKey', 'S'], range: ['dueAt', 'N'] }] },
  audit: { hash: ['pk', 'S'], range: ['sk', 'S'] },
  coord: { hash: ['pk', 'S'], range: ['sk', 'S'] },
} as const satisfies Record<string, TableSpec>;

export type TableKey = readonly [string, 'S' | 'N'];
export interface TableSpec {
  hash: TableKey;
  range?: TableKey;
  gsi?: readonly { name: string; hash: TableKey; range?: TableKey }[];
}

/**
 * Items that should expire carry this attribute (epoch seconds). Terraform enables DynamoDB TTL on it for every
 * table; locally it is ignored (dynalite does not expire items).
 */
export const TTL_ATTRIBUTE = 'expiresAt';

export type TableName = keyof typeof TABLES;
export type TableNames = Record<TableName, string>;

export function tableNames(prefix: string): TableNames {
  const names = {} as TableNames;
  for (const name of Object.keys(TABLES) as TableName[]) names[name] = `${prefix}${name}`;
  return names;
}

function keySchema(hash: TableKey, range?: TableKey): KeySchemaElement[] {
  return [
    { AttributeName: hash[0], KeyType: 'HASH' },
    ...(range ? [{ AttributeName: range[0], KeyType: 'RANGE' as const }] : []),
  ];
}

export function createTableInput(name: TableName, physicalName: string): CreateTableCommandInput {
  const spec: TableSpec = TABLES[name];
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (key?: TableKey) => key && attributes.set(key[0], key[1]);
  add(spec.hash);
  add(spec.range);
  for (const index of spec.gsi ?? []) {
    add(index.hash);
    add(index.range);
  }
  const definitions: AttributeDefinition[] = [...attributes].map(([AttributeName, AttributeType]) => ({
    AttributeName,
    AttributeType,
  }));
  const indexes: GlobalSecondaryIndex[] = (spec.gsi ?? []).map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.hash, index.range),
    Projection: { ProjectionType: 'ALL' },
  }));
  return {
    TableName: physicalName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: definitions,
    KeySchema: keySchema(spec.hash, spec.range),
    ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}
