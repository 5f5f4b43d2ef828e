// The status document's rebuild, in process (no HTTP, no timers): N services with D days of stored rollups, the time
// of a forced rebuild after the checks of one second landed (N / interval services changed). Run by
// `node bench/run.mjs --only snapshot` (bench/snapshot.mjs bundles this file with esbuild, the test fakes included).
import { MonitoringEvents } from '../libs/monitoring/src/monitoring.events.js';
import { MaintenanceCache } from '../libs/monitoring/src/maintenance/maintenance-cache.js';
import { MonitorService } from '../libs/monitoring/src/monitor.service.js';
import { StatusSnapshotService } from '../libs/monitoring/src/status/status-snapshot.service.js';
import { dayOf } from '../libs/monitoring/src/history/rollup.js';
import {
  dayRollup,
  FakeActiveIncidents,
  FakeProber,
  FakeShardLeases,
  InMemoryCheckStore,
  InMemoryStateAndRollupStore,
  monitoredService,
} from '../libs/monitoring/src/testing/index.js';

const N = Number(process.env.N ?? 1000),
  DAYS = Number(process.env.DAYS ?? 90);
const NOW = Date.now();
const checks = new InMemoryCheckStore(),
  states = new InMemoryStateAndRollupStore(),
  maintenance = new MaintenanceCache();
const services = Array.from({ length: N }, (_, i) =>
  monitoredService(`svc-${String(i).padStart(5, '0')}`, { name: `Service ${i} API`, group: `Group ${i % 10}` }),
);
for (const s of services) {
  states.states.set(s.id, {
    state: 'up',
    since: NOW - 86400000,
    failStreak: 0,
    badStreak: 0,
    okStreak: 3,
    fastStreak: 3,
  });
  for (let d = 0; d < DAYS; d++)
    states.seed(dayRollup(s.id, dayOf(NOW - d * 86400000), { hour: 3, checks: 100, failures: 1 }));
  checks.items.push({ serviceId: s.id, at: NOW - 5000, ok: true, latencyMs: 12, state: 'up', maintenance: false });
}
const monitor = new MonitorService(
  new FakeProber(NOW),
  checks,
  states,
  maintenance,
  new MonitoringEvents(),
  {
    concurrency: 4,
    recentChecks: 30,
    rollupFlushChecks: 10,
    rollupFlushMs: 1800000,
    historyDays: 90,
    bootConcurrency: 16,
    probeThread: false,
    storedPageEveryMs: 0,
  },
  new FakeShardLeases(false),
);
await monitor.load(services, NOW);
const snap = new StatusSnapshotService(monitor, new FakeActiveIncidents(), maintenance);
const results: Record<string, { medianMs: number; maxMs: number }> = {};
const time = (label: string, fn: () => void, rounds = 20) => {
  const t: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = performance.now();
    fn();
    t.push(performance.now() - a);
  }
  t.sort((a, b) => a - b);
  results[label] = { medianMs: t[Math.floor(t.length / 2)]!, maxMs: t.at(-1)! };
};
let now = NOW;
time('first', () => snap.refresh((now += 1000), true), 1);
let k = 0;
const perBuild = Math.round(N / Number(process.env.IV ?? 20));
time('changed', () => {
  const batch = [];
  for (let i = 0; i < perBuild; i++) {
    const s = services[k++ % N]!;
    batch.push({ serviceId: s.id, at: now + 1, ok: true, latencyMs: 10, state: 'up' as const, maintenance: false });
  }
  monitor.applyRemote(batch, now + 1);
  snap.refresh((now += 1000), true);
});
process.stdout.write(
  `${JSON.stringify({ services: N, days: DAYS, changedPerBuild: perBuild, bodyBytes: snap.currentStatus(now).body.length, ...results })}\n`,
);
process.exit(0);
