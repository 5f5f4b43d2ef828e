// Seeds a dynalite directory with what a long-running status page has stored for N services, through the app's
// own compiled adapters (so the items are exactly what the app writes): per service its evaluation state, `days`
// daily rollups and the newest checks. The newest rollup was written a few checks before the newest check (the
// usual state after a restart: the catch-up folds those from the recent checks); every tenth service's newest
// rollup is older than its 30 recent checks (the catch-up must query `since`); every twentieth service is degraded
// with a slow streak (the restored evaluation must show it; degraded opens no incident by default, so boot's
// incident pass has nothing to do — a stored `down` without its incident would make boot open one per service).
// And each service's copy of its finished days (the days before yesterday), as a running install keeps one.
//
//   node bench/boot-seed.mjs <build dir> <dynalite endpoint> <services> <days> <interval ms>
//   prints one JSON line: { seededAt, degraded: [ids], items, ms }
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [buildDir, endpoint, countText, daysText, intervalText] = process.argv.slice(2);
const count = Number(countText);
const days = Number(daysText);
const intervalMs = Number(intervalText);
const load = (path) => import(pathToFileURL(join(buildDir, path)).href);
const aws = await load('libs/aws/src/index.js');
const rollups = await load('libs/monitoring/src/history/rollup.js');
const { SERVICE_DEFAULTS } = await load('libs/contracts/src/index.js');
// The stored streaks as a running install leaves them: evaluate() caps each at the larger threshold (a higher
// stored count made every service's first check after the boot write its state again, which no real one does).
const cap = Math.max(SERVICE_DEFAULTS.failureThreshold, SERVICE_DEFAULTS.recoveryThreshold);

const client = new DynamoDBClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const names = aws.tableNames('statuspage-');
await aws.ensureTables(client, names);
const state = new aws.DynamoStateAndRollupStore(client, names.state);
const checks = new aws.DynamoCheckStore(client, names.checks, 30);

const started = Date.now();
const seededAt = started;
const DAY_MS = 86_400_000;
const serviceId = (index) => `svc-${String(index).padStart(5, '0')}`;
const degraded = [];
const copies = process.env.BENCH_SEED_COPIES !== '0';
let items = 0;

async function seedOne(index) {
  const id = serviceId(index);
  const isDegraded = index % 20 === 7;
  const deepCatchUp = index % 10 === 3;
  const checkCount = deepCatchUp ? 40 : 30;
  // Newest check a little less than an interval ago, spread by service.
  const newest = seededAt - ((index * 997) % intervalMs);
  const list = [];
  for (let k = 0; k < checkCount; k += 1) {
    const slow = isDegraded && k < 4;
    list.push({
      serviceId: id,
      at: newest - k * intervalMs,
      ok: true,
      latencyMs: slow ? 2500 + k : 20 + ((index + k) % 40),
      statusCode: 200,
      state: isDegraded && k < 2 ? 'degraded' : 'up',
      maintenance: false,
    });
  }
  await checks.append(list);
  items += list.length;
  if (isDegraded) degraded.push(id);
  const evaluation = isDegraded
    ? { state: 'degraded', since: newest - intervalMs, failStreak: 0, badStreak: cap, okStreak: cap, fastStreak: 0 }
    : { state: 'up', since: seededAt - days * DAY_MS, failStreak: 0, badStreak: 0, okStreak: cap, fastStreak: cap };
  await state.saveState(id, evaluation, 0);
  items += 1;
  // Rollups: full past days, and today up to the newest rollup write.
  const through = list[deepCatchUp ? 35 : 4].at;
  const perDay = Math.round(DAY_MS / intervalMs);
  const finished = [];
  for (let back = days - 1; back >= 0; back -= 1) {
    const day = rollups.dayOf(seededAt - back * DAY_MS);
    const rollup = rollups.emptyRollup(id, day);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    const end = back === 0 ? through : dayStart + DAY_MS - 1;
    if (end < dayStart) continue;
    const hours = Math.floor((end - dayStart) / 3_600_000) + 1;
    for (let hour = 0; hour < hours; hour += 1) {
      const total = hour === hours - 1 ? Math.max(1, Math.round(perDay / 24 / 2)) : Math.round(perDay / 24);
      const failures = (index + hour) % 97 === 0 ? 1 : 0;
      rollup.hourTotal[hour] = total;
      rollup.hourFailures[hour] = failures;
      rollup.hourLatencySum[hour] = (total - failures) * 35;
      rollup.total += total;
      rollup.failures += failures;
      rollup.latencySum += (total - failures) * 35;
      rollup.latencyCount += total - failures;
      rollup.latencyBuckets[rollups.latencyBucket(35)] += total - failures;
    }
    rollup.through = end;
    await state.saveRollup(rollup, null, 0);
    items += 1;
    if (back >= 2 && back < 90) finished.push({ ...rollup, hourTotal: [], hourFailures: [], hourLatencySum: [] });
  }
  // The copy of the finished days the runner writes once a day (a build that has it; BENCH_SEED_COPIES=0 seeds an
  // install as the first boot after that layout came finds it).
  if (copies && typeof state.saveFinishedDays === 'function') {
    await state.saveFinishedDays(id, finished, rollups.dayOf(seededAt - 2 * DAY_MS), 0);
    items += 1;
  }
}

let next = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    for (let index = next++; index < count; index = next++) await seedOne(index);
  }),
);
client.destroy();
process.stdout.write(`${JSON.stringify({ seededAt, degraded, items, ms: Date.now() - started })}\n`);
