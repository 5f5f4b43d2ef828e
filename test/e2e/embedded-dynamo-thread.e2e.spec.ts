import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ensureTables,
  startEmbeddedDynamo,
  tableNames,
  type EmbeddedDynamo,
  type EmbeddedDynamoOptions,
} from '@app/aws';
import { startApp } from '../support/app-process.js';
import { checkSurvivesRestart, embeddedDynamoPerTest, expectTablesCreated } from '../support/embedded-dynamo.js';
import { dynamoClient } from '../support/dynamo.js';

/** The data directory's lock file (libs/aws/src/dynamodb/data-dir-lock.ts). */
const LOCK_FILE = 'statuspage.pid';

/** The compiled thread (`npm test` builds first; `npm run test:e2e` too). */
const SCRIPT = pathToFileURL(
  resolve(import.meta.dirname, '../../dist/api/libs/aws/src/dynamodb/embedded-dynamo.worker.js'),
);
/** A thread that says it listens, then ends with exit code 3: a crash after the start. */
const ENDS_AFTER_START = pathToFileURL(resolve(import.meta.dirname, '../fixtures/embedded-thread-ends.mjs'));

/**
 * A ListTables from another process, made while this thread is blocked (execFileSync): only a store with an event
 * loop of its own can answer it. Prints the table names, or "no answer: <reason>" after 5 s.
 */
function listTablesFromAnotherProcess(endpoint: string): string {
  const script = `
    fetch(${JSON.stringify(endpoint)}, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'x-amz-date': '20260101T000000Z',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    }).then((r) => r.json()).then((body) => console.log(JSON.stringify(body.TableNames ?? body)),
      (error) => console.log('no answer: ' + error.message));`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }).trim();
}

describe('the embedded store on a thread of its own (compiled)', () => {
  const scratch = embeddedDynamoPerTest('embedded-thread-');
  let dynamo: EmbeddedDynamo;
  const start = async (dataDir: string | null, options: EmbeddedDynamoOptions = {}) =>
    (dynamo = scratch.use(
      await startEmbeddedDynamo(dataDir, { thread: SCRIPT, onThreadExit: () => undefined, ...options }),
    ));

  it('answers requests while the main thread is blocked', async () => {
    await start(null);
    expect(dynamo.onThread).toBe(true);
    // dynalite-number-size.ts: the thread's dynalite sizes numbers from their text.
    expect(dynamo.numbers).toBe('text');
    const client = dynamoClient(dynamo.endpoint);
    await ensureTables(client, tableNames('thread-'));
    client.destroy();
    // The control: on this thread the same request cannot be answered until the block ends.
    const here = await startEmbeddedDynamo(null, { thread: null });
    try {
      expect(here.onThread).toBe(false);
      expect(listTablesFromAnotherProcess(here.endpoint)).toMatch(/^no answer: /);
    } finally {
      await here.close();
    }
    expect(JSON.parse(listTablesFromAnotherProcess(dynamo.endpoint))).toContain('thread-checks');
  });

  it('keeps the data on disk across a close and a restart, and releases the directory when closed', async () => {
    const lockFile = join(scratch.dir(), LOCK_FILE);
    await checkSurvivesRestart(
      async () => {
        await start(scratch.dir());
        expect(dynamo.onThread).toBe(true);
        expect(existsSync(lockFile)).toBe(true);
        return dynamo;
      },
      () => expect(existsSync(lockFile)).toBe(false),
    );
  });

  it('runs on the main thread when the thread cannot start', async () => {
    await start(scratch.dir(), { thread: pathToFileURL(join(scratch.dir(), 'no-such-thread.js')) });
    expect(dynamo.onThread).toBe(false);
    await expectTablesCreated(dynamo.endpoint, 'fallback-');
  });

  it('reports a thread that ends while the store is open, and a close after it still releases the directory', async () => {
    const exits: number[] = [];
    await start(scratch.dir(), { thread: ENDS_AFTER_START, onThreadExit: (code) => exits.push(code) });
    expect(dynamo.onThread).toBe(true);
    for (let turn = 0; turn < 100 && exits.length === 0; turn += 1) await new Promise((done) => setTimeout(done, 20));
    expect(exits).toEqual([3]);
    await dynamo.close();
    expect(existsSync(join(scratch.dir(), LOCK_FILE))).toBe(false);
  });

  it('fails to start, naming the cause, when dynalite cannot listen — and leaves the directory free', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(
        startEmbeddedDynamo(scratch.dir(), { port, thread: SCRIPT, onThreadExit: () => undefined }),
      ).rejects.toThrow(/embedded DynamoDB could not start: .*EADDRINUSE/);
      expect(existsSync(join(scratch.dir(), LOCK_FILE))).toBe(false);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });
});

/** The compiled number sizing (libs/aws/src/dynamodb/dynalite-number-size.ts). */
const NUMBER_SIZE = pathToFileURL(
  resolve(import.meta.dirname, '../../dist/api/libs/aws/src/dynamodb/dynalite-number-size.js'),
);

describe("dynalite's number sizing, replaced under Node's own loader (compiled)", () => {
  it('is the sizing dynalite answers requests with: a number sized huge makes a PutItem too large', () => {
    // In a process of its own: Jest loads CommonJS modules itself, the app does not.
    const script = `
      import { createRequire } from 'node:module';
      const sizing = await import(${JSON.stringify(NUMBER_SIZE.href)});
      const { dynalite, numbers } = sizing.loadDynalite();
      const db = createRequire(${JSON.stringify(NUMBER_SIZE.href)}).cache[sizing.dynaliteDbFile()];
      const server = dynalite({ createTableMs: 0 });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const call = (target, body) =>
        fetch('http://127.0.0.1:' + server.address().port, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.' + target,
            'x-amz-date': '20260101T000000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          },
          body: JSON.stringify(body),
        }).then((response) => response.json());
      await call('CreateTable', {
        TableName: 'sizes',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      const put = (id) => call('PutItem', { TableName: 'sizes', Item: { id: { S: id }, n: { N: '12345.5' } } });
      const before = await put('a');
      db.numberSize = () => 500000;
      const after = await put('b');
      server.close();
      console.log(JSON.stringify({ numbers, before, after: after.message ?? after }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 }),
    ) as { numbers: string; before: unknown; after: string };
    expect(out.numbers).toBe('text');
    expect(out.before).toEqual({});
    expect(out.after).toMatch(/Item size has exceeded the maximum allowed size/);
  });
});

describe('the compiled app and EMBEDDED_DYNAMO_THREAD', () => {
  it.each([
    [undefined, 'a thread of its own'],
    ['false', 'the main thread'],
  ])(
    'EMBEDDED_DYNAMO_THREAD=%s: the store runs on %s, and the app serves from it',
    async (setting, where) => {
      const app = await startApp({
        servicesYaml: 'services: []\n',
        ...(setting === undefined ? {} : { env: { EMBEDDED_DYNAMO_THREAD: setting } }),
      });
      try {
        expect(app.output()).toContain(`embedded DynamoDB on ${where} at http://127.0.0.1:`);
        // Readiness reads the store (a GetItem).
        expect((await fetch(`${app.baseUrl}/api/health`)).status).toBe(200);
      } finally {
        await app.stop();
      }
      expect(app.output()).toContain('embedded DynamoDB closed');
    },
    45_000,
  );
});
