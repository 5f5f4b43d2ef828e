// dynalite (DynamoDB over LevelDB, the same engine the app embeds) as its own process, with a write counter.
// The app talks to it through AWS_ENDPOINT_URL_DYNAMODB, so every request it makes passes through here.
//
//   node bench/dynalite-server.mjs <dataPath|-> [port]       prints "READY <port>"
//
// Counted per request (X-Amz-Target) and per table: requests, items written, request body bytes and write
// units, and read units of GetItem / Query / Scan answers. GET /__bench/stats returns the counters as JSON (the
// path never reaches dynalite). GET /__bench/latency?since=<epoch ms> returns each request's time in this process
// by operation (the last 100,000–200,000 requests).
//
// Write units follow DynamoDB's on-demand rule: ceil(itemSize / 1 KB) per item put/updated/deleted, charged even
// when a condition fails. Item size is computed with DynamoDB's documented sizing (attribute name bytes + value
// bytes; numbers ~ 1 byte per 2 significant digits + 1; booleans/null 1 byte; lists/maps 3 bytes + 1 per element),
// with the JSON byte length of the item's attributes kept as a cross-check (`jsonWcu`).
// Read units follow the on-demand rule too: per request, ceil(bytes of the items returned / 4 KB) (at least 1),
// halved for eventually consistent reads (DynamoDB rounds per request, not per item, for Query and Scan).
import dynalite from 'dynalite';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The fix the app's embedded store applies (libs/aws/src/dynamodb/level-iterators.ts), from the bench's build or
// the repository's (`npm test` builds it; the chaos suite runs this server): without it every Query and Scan leaves
// a LevelDB iterator open and this stand-in for DynamoDB grows without end.
const here = dirname(fileURLToPath(import.meta.url));
const fix = ['results/build', '../dist/api']
  .map((build) => join(here, build, 'libs/aws/src/dynamodb/level-iterators.js'))
  .find((path) => existsSync(path));
if (fix) (await import(pathToFileURL(fix).href)).closeLevelIteratorsOnRelease();
else console.error('dynalite-server: no build has level-iterators.js (build first): LevelDB iterators stay open');

const path = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : undefined;
if (path) mkdirSync(path, { recursive: true });
const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const [handler] = server.listeners('request');
server.removeAllListeners('request');

const stats = {
  requests: {},
  tables: {},
  writeUnits: 0,
  jsonWriteUnits: 0,
  itemsWritten: 0,
  bytesIn: 0,
  readUnits: 0,
  reads: {},
};
/** Each request's time in this process (from its first byte to the answer's last), by operation: [end ms, ms]. */
const latencies = [];
const MAX_LATENCIES = 200_000;

function numberSize(text) {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}
function valueSize(value) {
  if ('S' in value) return Buffer.byteLength(value.S);
  if ('N' in value) return numberSize(value.N);
  if ('B' in value) return Buffer.from(value.B, 'base64').length;
  if ('BOOL' in value || 'NULL' in value) return 1;
  if ('SS' in value) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if ('NS' in value) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if ('BS' in value) return value.BS.reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
  if ('L' in value) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if ('M' in value)
    return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  return 1;
}
const itemSize = (item) =>
  Object.entries(item ?? {}).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);

function charge(table, op, item, keyOnly = false) {
  const size = keyOnly ? 1 : itemSize(item);
  const units = Math.max(1, Math.ceil(size / 1024));
  const jsonUnits = Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item ?? {})) / 1024));
  const entry = (stats.tables[table] ??= { writeUnits: 0, jsonWriteUnits: 0, items: 0, bytes: 0, byOp: {} });
  entry.writeUnits += units;
  entry.jsonWriteUnits += jsonUnits;
  entry.items += 1;
  entry.bytes += size;
  entry.byOp[op] = (entry.byOp[op] ?? 0) + 1;
  stats.writeUnits += units;
  stats.jsonWriteUnits += jsonUnits;
  stats.itemsWritten += 1;
}

function count(target, body) {
  const op = target.split('.').pop();
  stats.requests[op] = (stats.requests[op] ?? 0) + 1;
  if (!['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(op)) return;
  let payload;
  try {
    payload = JSON.parse(body);
  } catch {
    return;
  }
  if (op === 'PutItem') charge(payload.TableName, op, payload.Item);
  else if (op === 'UpdateItem')
    charge(payload.TableName, op, payload.Key); // key only: the app does not use it
  else if (op === 'DeleteItem') charge(payload.TableName, op, payload.Key, true);
  else
    for (const [table, requests] of Object.entries(payload.RequestItems ?? {}))
      for (const request of requests)
        if (request.PutRequest) charge(table, 'BatchPut', request.PutRequest.Item);
        else charge(table, 'BatchDelete', request.DeleteRequest?.Key, true);
}

const READS = new Set(['GetItem', 'Query', 'Scan']);

function chargeRead(op, requestBody, responseBody) {
  let input;
  let output;
  try {
    input = JSON.parse(requestBody);
    output = JSON.parse(responseBody);
  } catch {
    return;
  }
  const items = op === 'GetItem' ? (output.Item ? [output.Item] : []) : (output.Items ?? []);
  const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
  const units = Math.max(1, Math.ceil(bytes / 4096)) * (input.ConsistentRead ? 1 : 0.5);
  const key = `${input.TableName}${input.IndexName ? `/${input.IndexName}` : ''}`;
  const entry = (stats.reads[key] ??= { readUnits: 0, requests: 0, items: 0, bytes: 0, byOp: {} });
  entry.readUnits += units;
  entry.requests += 1;
  entry.items += items.length;
  entry.bytes += bytes;
  entry.byOp[op] = (entry.byOp[op] ?? 0) + 1;
  stats.readUnits += units;
}

server.on('request', (request, response) => {
  if (request.url?.startsWith('/__bench/stats')) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(stats));
    return;
  }
  if (request.url?.startsWith('/__bench/latency')) {
    // GET /__bench/latency?since=<epoch ms>: { "<op>": [[end, ms], ...] } for requests answered since then.
    const since = Number(new URL(request.url, 'http://x').searchParams.get('since') ?? 0);
    const byOp = {};
    for (const [op, end, ms] of latencies) if (end >= since) (byOp[op] ??= []).push([end, ms]);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(byOp));
    return;
  }
  const started = performance.now();
  const target = String(request.headers['x-amz-target'] ?? '');
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  const op = target.split('.').pop();
  response.on('finish', () => {
    latencies.push([op, Date.now(), Math.round((performance.now() - started) * 10) / 10]);
    if (latencies.length > MAX_LATENCIES) latencies.splice(0, latencies.length - MAX_LATENCIES / 2);
  });
  let requestText = '';
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    stats.bytesIn += body.length;
    requestText = body.toString('utf8');
    count(target, requestText);
  });
  if (READS.has(op)) {
    // Read units depend on what is returned: keep the answer as it is written out.
    const out = [];
    const write = response.write.bind(response);
    const end = response.end.bind(response);
    response.write = (chunk, ...rest) => {
      if (chunk) out.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    };
    response.end = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') out.push(Buffer.from(chunk));
      if (response.statusCode === 200) chargeRead(op, requestText, Buffer.concat(out).toString('utf8'));
      return end(chunk, ...rest);
    };
  }
  handler(request, response);
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
