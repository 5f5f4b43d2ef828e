// node --expose-gc bench/memory-recent.mjs <services> <window>: the heap a full window of recent checks costs per
// service. The 5-minute runs see only a few checks per service at 60 s; after `window` intervals every service
// keeps `window` of them (30: 30 minutes at 60 s). Fills the compiled RecentChecks with `window + 5` checks per
// service (HTTPS-like: status code, latency with decimals, certificate expiry on every other one) and, in the same
// process, the same checks as a plain newest-first list of objects (how they were kept before), and prints the
// live heap of each after a full GC.
import { join } from 'node:path';
import { BUILD_MAIN } from './app.mjs';

const { RecentChecks } = await import(join(BUILD_MAIN, '../../../../libs/monitoring/src/history/recent-checks.js'));
const [services, window] = process.argv.slice(2).map(Number);
const start = Date.now();
const check = (service, index) => ({
  serviceId: `svc-${String(service).padStart(5, '0')}`,
  at: start + index * 60_000 + service,
  ok: index % 11 !== 0,
  latencyMs: 20 + ((index * 37) % 300) + 0.25,
  statusCode: index % 11 !== 0 ? 200 : 503,
  ...(index % 11 === 0 ? { error: 'HTTP 503' } : {}),
  ...(index % 2 === 0 ? { certificateNotAfter: start + 90 * 86_400_000 } : {}),
  state: 'up',
  maintenance: false,
});
const live = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
function measure(make) {
  const kept = [];
  const before = live();
  for (let service = 0; service < services; service += 1) kept.push(make(service));
  const after = live();
  globalThis.kept = kept; // reachable until measured
  globalThis.kept = null;
  return { heapMb: (after - before) / 2 ** 20, perServiceKb: (after - before) / services / 1024 };
}
const packed = measure((service) => {
  const recent = new RecentChecks(`svc-${service}`, window);
  for (let index = 0; index < window + 5; index += 1) recent.push(check(service, index));
  return recent;
});
const objects = measure((service) => {
  const list = [];
  for (let index = 0; index < window + 5; index += 1) {
    list.unshift(check(service, index));
    if (list.length > window) list.length = window;
  }
  return list;
});
process.stdout.write(`${JSON.stringify({ services, window, packed, objects })}\n`);
