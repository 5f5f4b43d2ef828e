// node bench/expiry.mjs <services> <expired per service> <kept per service> [rounds]: what the embedded store's expiry sweep
// (what DynamoDB's TTL does in AWS) costs, on the compiled code (BENCH_APP_MAIN picks another build). The embedded
// store on its thread, persisted in a temporary directory; checks written through the real adapter, `expired` of them
// past CHECK_RETENTION_DAYS (an hour's worth at 20 s is 180) and `kept` inside it. Baseline: the time the same
// expired checks took to write. Prints one JSON line: seconds to write them, to sweep them, to sweep again when
// nothing has expired (the hourly cost of a quiet sweep), the main thread's event-loop utilisation during each sweep,
// and the store's bytes on disk after the writes and after the sweep. With `rounds`, then an hour at a time: each
// round writes the next hour's checks (`expired` per service) and sweeps at the time when the checks of two rounds
// before have expired; the bytes on disk after each round show whether deleting keeps the store's size bounded.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUILD_MAIN } from './app.mjs';

const aws = join(BUILD_MAIN, '../../../../libs/aws/src');
const { startEmbeddedDynamo } = await import(join(aws, 'dynamodb/embedded-dynamo.js'));
const { EmbeddedExpiry } = await import(join(aws, 'dynamodb/embedded-expiry.js'));
const { ensureTables, tableNames } = await import(join(aws, 'index.js'));
const { DynamoCheckStore } = await import(join(aws, 'adapters/dynamo-check.store.js'));
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');

const [services = 1000, expired = 180, kept = 30, rounds = 0] = process.argv.slice(2).map(Number);
const RETENTION_DAYS = 30;
const INTERVAL_MS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-expiry-'));
const store = await startEmbeddedDynamo(dir, {});
const client = new DynamoDBClient({
  endpoint: store.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  cacheMiddleware: true,
});
const names = tableNames('bench-');
await ensureTables(client, names);
const checks = new DynamoCheckStore(client, names.checks, RETENTION_DAYS);
const bytes = () => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

const now = Date.now();
const cutoff = now - RETENTION_DAYS * 86_400_000;
/** Service `index`'s checks, `count` of them every INTERVAL_MS up to `newest`. */
const series = (index, newest, count) =>
  Array.from({ length: count }, (_, step) => ({
    serviceId: `svc-${String(index).padStart(5, '0')}`,
    at: newest - (count - 1 - step) * INTERVAL_MS - index,
    ok: step % 50 !== 0,
    latencyMs: 20 + (step % 200),
    statusCode: 200,
    state: 'up',
    maintenance: false,
  }));

/** Writes in batches of 25, 8 in flight (as the check writer does under load); seconds. */
async function write(all) {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < all.length) {
      const batch = all.slice(next, next + 25);
      next += 25;
      await checks.append(batch);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return (performance.now() - started) / 1000;
}

async function sweep(at = now) {
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  const counts = await new EmbeddedExpiry(client, names).sweep(at);
  return {
    seconds: (performance.now() - started) / 1000,
    mainThreadUtilisation: performance.eventLoopUtilization(elu).utilization,
    deleted: counts.checks ?? 0,
  };
}

const writeExpiredSeconds = await write(
  Array.from({ length: services }, (_, index) => series(index, cutoff - 60_000, expired)).flat(),
);
await write(Array.from({ length: services }, (_, index) => series(index, now, kept)).flat());
const bytesWritten = bytes();
const first = await sweep();
const quiet = await sweep();
const bytesAfter = bytes();
// Hour after hour: the store holds two rounds of checks once the sweeps keep up (from the third round on).
const HOUR = 3_600_000;
const hourly = [];
for (let round = 0; round < rounds; round += 1) {
  const start = now + round * HOUR;
  await write(
    Array.from({ length: services }, (_, index) => series(index, start + HOUR - INTERVAL_MS, expired)).flat(),
  );
  const swept = await sweep(start - HOUR + RETENTION_DAYS * 86_400_000);
  hourly.push({ deleted: swept.deleted, seconds: Number(swept.seconds.toFixed(2)), bytes: bytes() });
}
client.destroy();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    services,
    expiredPerService: expired,
    keptPerService: kept,
    onThread: store.onThread,
    writeExpiredSeconds,
    sweepSeconds: first.seconds,
    sweepMainThreadUtilisation: first.mainThreadUtilisation,
    deleted: first.deleted,
    quietSweepSeconds: quiet.seconds,
    quietSweepMainThreadUtilisation: quiet.mainThreadUtilisation,
    quietDeleted: quiet.deleted,
    bytesWritten,
    bytesAfterSweep: bytesAfter,
    ...(rounds > 0 ? { hourly } : {}),
  })}\n`,
);
process.exit(0);
