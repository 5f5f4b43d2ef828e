import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

/** The sort-key prefix of the daily rollup items in the `state` table (`day#YYYY-MM-DD`). */
export const ROLLUP_KEY_PREFIX = 'day#';

/**
 * Every table the product uses. Terraform (terraform/modules/data) creates the same tables in AWS; locally the
 * app creates them. Keep libs/aws/README.md in step with this list.
 * `expiry`: how the embedded store finds the items that carry `expiresAt` (`embedded-expiry.ts`; in AWS, DynamoDB's
 * TTL does it): `oldest-first` — within each partition, the items whose sort key starts with `prefix` have an
 * expiry fixed by their sort key and growing with it (checks by `at`, rollups by day), and nothing writes them once
 * expired; `scan` — few items, read whole; absent — nothing in the table expires.
 */
export const TABLES = {
  checks: { hash: ['serviceId', 'S'], range: ['at', 'N'], expiry: { kind: 'oldest-first' } },
  state: { hash: ['serviceId', 'S'], range: ['key', 'S'], expiry: { kind: 'oldest-first', prefix: ROLLUP_KEY_PREFIX } },
  services: { hash: ['id', 'S'] },
  incidents: {
    hash: ['pk', 'S'],
    range: ['sk', 'S'],
    gsi: [{ name: 'gsi1', hash: ['gsi1pk', 'S'], range: ['gsi1sk', 'S'] }],
  },
  outbox: {
    hash: ['id', 'S'],
    gsi: [{ name: 'pending', hash: ['pendingKey', 'S'], range: ['dueAt', 'N'] }],
    expiry: { kind: 'scan' },
  },
  audit: { hash: ['pk', 'S'], range: ['sk', 'S'] },
  // Replica records are rewritten with a later expiry at every heartbeat, so they are read whole (the change feed,
  // an hour at most once expired items go, is read with them).
  coord: { hash: ['pk', 'S'], range: ['sk', 'S'], expiry: { kind: 'scan' } },
} as const satisfies Record<string, TableSpec>;

export type TableKey = readonly [string, 'S' | 'N'];
export interface TableSpec {
  hash: TableKey;
  range?: TableKey;
  gsi?: readonly { name: string; hash: TableKey; range?: TableKey }[];
  expiry?: TableExpiry;
}

export type TableExpiry = { kind: 'oldest-first'; prefix?: string } | { kind: 'scan' };

/**
 * Items that should expire carry this attribute (epoch seconds). Terraform enables DynamoDB TTL on it for every
 * table; dynalite does not expire items, so the embedded store deletes them itself (`embedded-expiry.ts`).
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
