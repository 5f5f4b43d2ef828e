// Experiment: native memory of in-process dynalite while the restore's Queries run (10,000 × recent 30 checks).
import dynalite from 'dynalite';
import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
const path = process.argv[2];
const concurrency = Number(process.argv[3] ?? 16);
const doGc = process.argv[4] === 'gc';
if (process.env.PATCH === '1') {
  const { createRequire } = await import('node:module');
  const r = createRequire(createRequire(createRequire(import.meta.resolve ? new URL(import.meta.resolve('dynalite')) : '').resolve('level')).resolve('classic-level'));
  const a = r('abstract-level');
  for (const C of [a.AbstractIterator, a.AbstractKeyIterator, a.AbstractValueIterator]) C.prototype.return = function () { return this.close(); };
  console.log('patched');
}
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${server.address().port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const mem = () => {
  const s = readFileSync('/proc/self/status', 'utf8');
  const anon = Number(/RssAnon:\s+(\d+)/.exec(s)[1]) / 1024, file = Number(/RssFile:\s+(\d+)/.exec(s)[1]) / 1024;
  const u = process.memoryUsage();
  return `rss ${(u.rss / 2 ** 20).toFixed(0)} anon ${anon.toFixed(0)} file ${file.toFixed(0)} heapTotal ${(u.heapTotal / 2 ** 20).toFixed(0)} heapUsed ${(u.heapUsed / 2 ** 20).toFixed(0)} ext ${(u.external / 2 ** 20).toFixed(0)}`;
};
console.log('start', mem());
// the boot Scan of state
let key, n = 0;
do { const r = await client.send(new ScanCommand({ TableName: 'statuspage-state', ExclusiveStartKey: key })); n += r.Items.length; key = r.LastEvaluatedKey; } while (key);
console.log('scanned', n, mem());
const ids = Array.from({ length: 10000 }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
let next = 0, done = 0; const t0 = Date.now();
const timer = setInterval(() => console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s done ${done}`, mem()), 5000);
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (next < ids.length) {
    const id = ids[next++];
    await client.send(new QueryCommand({ TableName: 'statuspage-checks', KeyConditionExpression: 'serviceId = :s', ExpressionAttributeValues: { ':s': { S: id } }, ScanIndexForward: false, Limit: 30 }));
    done++;
    if (doGc && done % 1000 === 0) global.gc();
  }
}));
clearInterval(timer);
console.log('queries done', done, ((Date.now() - t0) / 1000).toFixed(1), 's', mem());
if (global.gc) { global.gc(); await new Promise((r) => setTimeout(r, 2000)); global.gc(); }
await new Promise((r) => setTimeout(r, 3000));
console.log('after gc + 5 s', mem());
process.exit(0);
