import 'reflect-metadata';
import { DescribeTableCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoCheckStore,
  dynalitesAbstractLevel,
  ensureTables,
  startEmbeddedDynamo,
  tableNames,
  TABLES,
  type EmbeddedDynamo,
} from '@app/aws';
import { OperatorError } from '@app/common';
import { dynamoClient, testDynamo } from '../support/dynamo.js';
import {
  checkSurvivesRestart,
  embeddedDynamoPerTest,
  expectTablesCreated,
  STORED_CHECK,
} from '../support/embedded-dynamo.js';
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
  const scratch = embeddedDynamoPerTest('embedded-dynamo-');
  const check = STORED_CHECK;
  let dynamo: EmbeddedDynamo;
  const start = async (dataDir: string | null) => (dynamo = scratch.use(await startEmbeddedDynamo(dataDir)));

  it('listens on loopback and speaks the DynamoDB protocol', async () => {
    await start(null);
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expectTablesCreated(dynamo.endpoint, 'mem-');
  });

  it('keeps the data on disk across a close and a restart on the same directory', async () => {
    await checkSurvivesRestart(() => start(scratch.dir()));
  });

  it('closes the LevelDB iterator of every Query and Scan it answers (none is left open)', async () => {
    const iterators = trackLevelIterators();
    await start(null);
    const client = dynamoClient(dynamo.endpoint);
    const names = tableNames('iter-');
    await ensureTables(client, names);
    const store = new DynamoCheckStore(client, names.checks, 30);
    const services = ['a', 'b', 'c'];
    await store.append(
      services.flatMap((serviceId) => [1, 2, 3].map((n) => ({ ...check, serviceId, at: check.at + n * 1000 }))),
    );
    const before = iterators.opened;
    // The boot's restore: the newest checks of each service (a Query), read short of the end and to the end.
    for (let round = 0; round < 20; round += 1) {
      expect(await store.recent(services[round % 3] as string, round % 2 === 0 ? 2 : 30)).not.toEqual([]);
    }
    await client.send(new ScanCommand({ TableName: names.checks, Limit: 4 }));
    await client.send(new ScanCommand({ TableName: names.checks }));
    // Closing is asynchronous (the stream's destroy): give it a few turns.
    for (let turn = 0; turn < 20 && iterators.open.size > 0; turn += 1)
      await new Promise((done) => setTimeout(done, 10));
    expect(iterators.opened - before).toBeGreaterThanOrEqual(22);
    expect(iterators.open.size).toBe(0);
    iterators.stop();
    client.destroy();
  });

  it('starts with no tables when it keeps everything in memory', async () => {
    await start(null);
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

interface LevelIterator {
  close(): Promise<void>;
}
type IteratorFactory = (this: unknown, ...args: unknown[]) => LevelIterator;

/**
 * Counts the LevelDB iterators dynalite opens (`values`, `keys`, `iterator` of abstract-level, reached the way
 * dynalite loads it) and which of them are closed.
 */
function trackLevelIterators(): { readonly opened: number; open: Set<LevelIterator>; stop(): void } {
  const abstract = dynalitesAbstractLevel() as { AbstractLevel: { prototype: Record<string, IteratorFactory> } };
  const prototype = abstract.AbstractLevel.prototype;
  const open = new Set<LevelIterator>();
  let opened = 0;
  const originals = new Map<string, IteratorFactory>();
  for (const name of ['values', 'keys', 'iterator']) {
    const original = prototype[name] as IteratorFactory;
    originals.set(name, original);
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      const iterator = original.apply(this, args);
      opened += 1;
      open.add(iterator);
      const close = iterator.close.bind(iterator);
      iterator.close = () => {
        open.delete(iterator);
        return close();
      };
      return iterator;
    };
  }
  return {
    get opened() {
      return opened;
    },
    open,
    stop: () => {
      for (const [name, original] of originals) prototype[name] = original;
    },
  };
}
