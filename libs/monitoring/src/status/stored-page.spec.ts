import { brotliCompressSync } from 'node:zlib';
import type { ServiceDetail, StatusResponse } from '@app/contracts';
import { FakeShardLeases } from '../testing/fake-shard-leases.js';
import { InMemoryPageStore } from '../testing/in-memory-page-store.js';
import { monitoredService } from '../testing/monitored-service.js';
import type { MonitorService } from '../monitor.service.js';
import { type CachedDocument, type StatusSnapshotService } from './status-snapshot.service.js';
import { STORED_PAGE_MAX_AGE_MS, StoredPageService } from './stored-page.js';

const NOW = Date.parse('2026-12-06T10:00:00.000Z');
const MINUTE = 60_000;
const LEASE_MS = 15_000;

/** The page's services as built: `api` checked 30 s ago, `db` 10 s ago, `old` paused and never checked. */
const catalog = [
  monitoredService('api', { intervalMs: 20_000 }),
  monitoredService('db', { intervalMs: MINUTE, group: 'Data' }),
  monitoredService('old', { paused: true }),
];
const checkedAt: Record<string, number | null> = { api: NOW - 30_000, db: NOW - 10_000, old: null };

function page(at: number): StatusResponse {
  return {
    generatedAt: new Date(at).toISOString(),
    overall: { status: 'operational', text: 'All systems operational' },
    services: catalog.map((service) => ({
      id: service.id,
      name: service.name,
      ...(service.group === null ? {} : { group: service.group }),
      state: service.paused ? 'unknown' : 'up',
      ...(service.paused ? { paused: true as const } : {}),
      lastCheck: checkedAt[service.id] === null ? null : { ok: true, latencyMs: 12 },
      uptime: { '30d': 100, '90d': 100 },
      errorBudgetRemaining: 100,
    })),
    defaults: { slo: { target: 99.9, window: '30d' } },
    activeIncidents: [],
    upcomingMaintenance: [],
    page: { title: 'Status' },
  } as unknown as StatusResponse;
}

/** The snapshot as the stored page sees it: the document it would build, and what it is told to serve. */
class SnapshotStub {
  served: { document: StatusResponse; at: number }[] = [];
  isStored = false;
  builtAt = NOW;
  currentStatus(): CachedDocument<StatusResponse> {
    const data = page(this.builtAt);
    return { data, body: Buffer.from(JSON.stringify(data)), etag: '"x"', builtAt: this.builtAt };
  }
  currentServices(): ServiceDetail[] {
    return catalog.map((service) => {
      const at = checkedAt[service.id] ?? null;
      return { id: service.id, lastCheck: at === null ? null : { at: new Date(at).toISOString() } } as ServiceDetail;
    });
  }
  serveStored(document: StatusResponse, at: number): void {
    this.served.push({ document, at });
  }
}

function setup(everyMs = 5 * MINUTE, leases = new FakeShardLeases()) {
  const store = new InMemoryPageStore();
  const snapshot = new SnapshotStub();
  const monitor = { restoring: 0, stats: () => ({ restoring: monitor.restoring }) };
  const pages = new StoredPageService(
    store,
    snapshot as unknown as StatusSnapshotService,
    monitor as unknown as MonitorService,
    { storedPageEveryMs: everyMs },
    { leaseMs: LEASE_MS },
    leases,
  );
  return { store, snapshot, monitor, pages };
}

describe('StoredPageService', () => {
  it('serves the page it stored, as it was built, while nothing in it has turned stale', async () => {
    const { store, snapshot, pages } = setup();
    await pages.saveNow(NOW);
    expect(store.page?.at).toBe(NOW);
    expect(await pages.serve(await pages.read(), catalog, NOW + 1000)).toBe(true);
    expect(snapshot.served).toEqual([{ document: page(NOW), at: NOW }]);
  });

  it('marks stale what the live page would: no check for two intervals and a lease since the last one', async () => {
    const { snapshot, pages } = setup();
    await pages.saveNow(NOW);
    // api: last check NOW − 30 s, stale after 2 × 20 s + 15 s: NOW + 25 s. db: NOW − 10 s + 135 s = NOW + 125 s.
    expect(await pages.serve(await pages.read(), catalog, NOW + 2 * MINUTE)).toBe(true);
    const shown = snapshot.served[0]!.document.services;
    expect(shown.map((service) => [service.id, service.stale ?? false])).toEqual([
      ['api', true],
      ['db', false],
      ['old', false],
    ]);
    expect(await pages.serve(await pages.read(), catalog, NOW + 3 * MINUTE)).toBe(true);
    expect(snapshot.served[1]!.document.services.map((service) => service.stale ?? false)).toEqual([true, true, false]);
  });

  it('serves no page for other services, a page over a day old, or one that does not decode', async () => {
    const { store, snapshot, pages } = setup();
    await pages.saveNow(NOW);
    const renamed = catalog.map((service) => (service.id === 'db' ? { ...service, name: 'Database' } : service));
    const regrouped = catalog.map((service) => (service.id === 'db' ? { ...service, group: null } : service));
    const unpaused = catalog.map((service) => ({ ...service, paused: false }));
    for (const services of [renamed, regrouped, unpaused, catalog.slice(1), [...catalog, monitoredService('new')]])
      expect(await pages.serve(store.page, services, NOW + 1000)).toBe(false);
    expect(await pages.serve(store.page, catalog, NOW + STORED_PAGE_MAX_AGE_MS + 1)).toBe(false);
    const damaged = [
      Buffer.from('not brotli'),
      brotliCompressSync(Buffer.from('{"services":[]}')),
      brotliCompressSync(Buffer.from(`${JSON.stringify(page(NOW))}\n[1,2]`)),
      brotliCompressSync(Buffer.from(`{"services":[{"name":"x"}]}\n[null]`)),
    ];
    // As many entries as the catalog, each one of its services, but one listed twice and one missing.
    const twice = page(NOW);
    twice.services[2] = twice.services[0]!;
    damaged.push(brotliCompressSync(Buffer.from(`${JSON.stringify(twice)}\n[1,2,3]`)));
    for (const body of damaged) expect(await pages.serve({ at: NOW, body }, catalog, NOW + 1000)).toBe(false);
    expect(snapshot.served).toEqual([]);
  });

  it('stores once a period, only once every service is loaded, and never the stored page itself', async () => {
    const { store, snapshot, monitor, pages } = setup(5 * MINUTE);
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    monitor.restoring = 3;
    pages.tick(NOW);
    await pages.saveNow(NOW);
    await settle();
    expect(store.saves).toBe(0);
    monitor.restoring = 0;
    snapshot.isStored = true;
    await pages.saveNow(NOW);
    expect(store.saves).toBe(0);
    snapshot.isStored = false;
    pages.tick(NOW);
    await settle();
    expect(store.saves).toBe(1);
    snapshot.builtAt = NOW + MINUTE;
    pages.tick(NOW + MINUTE);
    await settle();
    expect(store.saves).toBe(1);
    snapshot.builtAt = NOW + 5 * MINUTE;
    pages.tick(NOW + 5 * MINUTE);
    await settle();
    expect(store.saves).toBe(2);
    expect(store.page?.at).toBe(NOW + 5 * MINUTE);
  });

  it('stores once a period only on the replica holding shard 0; every replica stores at its clean stop', async () => {
    const others = new FakeShardLeases(false);
    const { store, pages } = setup(5 * MINUTE, others);
    pages.tick(NOW);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.saves).toBe(0);
    await pages.saveNow(NOW);
    expect(store.saves).toBe(1);
    others.owned.set(0, 3);
    const { store: owner, pages: owning } = setup(5 * MINUTE, others);
    owning.tick(NOW);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(owner.saves).toBe(1);
  });

  it('with storing off, neither stores nor reads a page', async () => {
    const { store, pages } = setup(0);
    store.page = { at: NOW, body: Buffer.alloc(0) };
    expect(await pages.read()).toBeNull();
    pages.tick(NOW);
    await pages.saveNow(NOW);
    expect(store.saves).toBe(0);
  });
});
