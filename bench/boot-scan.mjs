// node bench/boot-scan.mjs <services> <days>: what the days of rollups kept (ROLLUP_RETENTION_DAYS) cost the boot's
// Scan of the state table, on the compiled code (BENCH_APP_MAIN picks another build) with the embedded store on its
// thread, persisted in a temporary directory. Seeds per service its state item and `days` daily rollups (copies of
// items the real adapter wrote, hour slots filled), then times `loadAll` as the boot calls it (the 90 days shown,
// without hour slots) three times. Only 90 days come back whatever is kept; the Scan reads them all. Then writes each
// service's copy of its finished days and times `loadAll` by key (with the catalog's ids) three times. Prints one
// JSON line: items seeded, seconds to seed them (BatchWriteItem, 8 in flight), of each Scan, to write the copies
// (8 in flight) and of each read by key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUILD_MAIN } from './app.mjs';

const libs = join(BUILD_MAIN, '../../../../libs');
const { startEmbeddedDynamo } = await import(join(libs, 'aws/src/dynamodb/embedded-dynamo.js'));
const { ensureTables, tableNames, DynamoStateAndRollupStore } = await import(join(libs, 'aws/src/index.js'));
const { emptyRollup } = await import(join(libs, 'monitoring/src/history/rollup.js'));
const { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');

const [services = 200, days = 101] = process.argv.slice(2).map(Number);
const SHOWN_DAYS = 90;
const DAY_MS = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'bench-boot-scan-'));
const store = await startEmbeddedDynamo(dir, {});
const client = new DynamoDBClient({
  endpoint: store.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const names = tableNames('bench-');
await ensureTables(client, names);
const state = new DynamoStateAndRollupStore(client, names.state);
const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const now = Date.now();

// One rollup and one state item as the adapter writes them: a full day at 20 s, a few failures an hour.
const model = emptyRollup('model', dayOf(now));
for (let hour = 0; hour < 24; hour += 1) {
  model.hourTotal[hour] = 180;
  model.hourFailures[hour] = hour % 5;
  model.hourLatencySum[hour] = 180 * 40;
}
Object.assign(model, { total: 4320, failures: 48, latencySum: 4320 * 40, latencyCount: 4272, through: now });
await state.saveRollup(model, null, 1);
await state.saveState('model', { state: 'up', since: 1, failStreak: 0, badStreak: 0, okStreak: 3, fastStreak: 3 }, 1);
const raw = async (key) =>
  (
    await client.send(
      new GetItemCommand({ TableName: names.state, Key: { serviceId: { S: 'model' }, key: { S: key } } }),
    )
  ).Item;
const rollupItem = await raw(`day#${dayOf(now)}`);
const stateItem = await raw('state');

const items = [];
for (let index = 0; index < services; index += 1) {
  const serviceId = { S: `svc-${String(index).padStart(5, '0')}` };
  items.push({ ...stateItem, serviceId });
  for (let back = 0; back < days; back += 1)
    items.push({ ...rollupItem, serviceId, key: { S: `day#${dayOf(now - back * DAY_MS)}` } });
}
let started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + 25);
      next += 25;
      let request = { [names.state]: batch.map((Item) => ({ PutRequest: { Item } })) };
      while (request && Object.keys(request).length > 0)
        request = (await client.send(new BatchWriteItemCommand({ RequestItems: request }))).UnprocessedItems;
    }
  }),
);
const seedSeconds = (performance.now() - started) / 1000;

const scanSeconds = [];
for (let read = 0; read < 3; read += 1) {
  started = performance.now();
  const loaded = await state.loadAll(dayOf(now - (SHOWN_DAYS - 1) * DAY_MS), false);
  scanSeconds.push((performance.now() - started) / 1000);
  const rollups = loaded.get('svc-00000')?.rollups.length;
  if (loaded.size !== services + 1 || rollups !== Math.min(days, SHOWN_DAYS))
    throw new Error(`read ${loaded.size} services, ${rollups} rollups of the first`);
}

// Then each service's copy of its finished days, as the runner writes it once a day (through the day before
// yesterday), and the boot by key: the catalog's ids, each one's copy, state and the days after the copy.
const ids = Array.from({ length: services }, (_, index) => `svc-${String(index).padStart(5, '0')}`);
const finished = [];
for (let back = Math.min(days, SHOWN_DAYS) - 1; back >= 2; back -= 1)
  finished.push({ ...model, day: dayOf(now - back * DAY_MS), hourTotal: [], hourFailures: [], hourLatencySum: [] });
started = performance.now();
let copied = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (copied < ids.length) {
      const serviceId = ids[copied++];
      await state.saveFinishedDays(
        serviceId,
        finished.map((day) => ({ ...day, serviceId })),
        dayOf(now - 2 * DAY_MS),
        1,
      );
    }
  }),
);
const copySeconds = (performance.now() - started) / 1000;
const byKeySeconds = [];
for (let read = 0; read < 3; read += 1) {
  started = performance.now();
  const loaded = await state.loadAll(dayOf(now - (SHOWN_DAYS - 1) * DAY_MS), false, ids);
  byKeySeconds.push((performance.now() - started) / 1000);
  const stored = loaded.get('svc-00000');
  // By key the days of the copy stay its text until the service is installed (finishedRollups decodes them).
  const shown = (stored?.rollups.length ?? 0) + (stored?.finishedRollups?.().length ?? 0);
  if (loaded.size !== services || shown !== Math.min(days, SHOWN_DAYS) || !stored.finishedThrough)
    throw new Error(`read by key ${loaded.size} services, ${shown} days of the first`);
}
process.stdout.write(
  `${JSON.stringify({ services, days, items: items.length, rollupItemBytes: JSON.stringify(rollupItem).length, seedSeconds, scanSeconds, copySeconds, byKeySeconds })}\n`,
);
client.destroy();
await store.close();
rmSync(dir, { recursive: true, force: true });
