import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { httpCheck, type MonitoredService } from './catalog/service-definition.js';
import { INITIAL_EVALUATION, type EvaluationState } from './evaluation/evaluate.js';
import { dayOf, emptyRollup, foldCheck, startOfDay } from './history/rollup.js';
import { MonitoringEvents, type ServiceStateChanged } from './monitoring.events.js';
import type { MonitoringOptions } from './monitoring.options.js';
import { shardOf } from './cluster/shards.js';
import { MonitorService, YESTERDAY_FENCED_MS, fencedDays } from './monitor.service.js';
import { MaintenanceCache } from './maintenance/maintenance-cache.js';
import type { StoredCheck } from './ports.js';
import { offsetOf } from './scheduling/schedule.js';
import {
  FAIL,
  dayRollup,
  FakeProber,
  FakeShardLeases,
  FakeTimers,
  InMemoryCheckStore,
  InMemoryStateAndRollupStore,
  maintenanceWindow,
  monitoredService,
  OK,
} from './testing/index.js';

const SECOND = 1000;
const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * Noon, two days from now: the runner stamps dispatches with the real clock, so the fake clock stays ahead of it
 * (a dispatch is then never "late" and the next slot is always exactly one interval on).
 */
const BASE = startOfDay(Date.now()) + 2 * DAY + 12 * 60 * MINUTE;

function service(id: string, overrides: Partial<MonitoredService> = {}): MonitoredService {
  return monitoredService(id, {
    url: `http://${id}.example.com/health`,
    intervalMs: SECOND,
    timeoutMs: 500,
    failureThreshold: 2,
    ...overrides,
  });
}

const OPTIONS: MonitoringOptions = {
  concurrency: 16,
  recentChecks: 30,
  rollupFlushChecks: 10,
  rollupFlushMs: 30 * MINUTE,
  historyDays: 90,
  bootConcurrency: 4,
  probeThread: false,
  storedPageEveryMs: 0,
};

/** Lets resolved probes run their completion handlers. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('MonitorService', () => {
  let prober: FakeProber;
  let checks: InMemoryCheckStore;
  let states: InMemoryStateAndRollupStore;
  let maintenance: MaintenanceCache;
  let events: MonitoringEvents;
  let changes: ServiceStateChanged[];
  let monitor: MonitorService;
  let leases: FakeShardLeases;

  let timers: FakeTimers;
  /** The due timer's clock stands still unless a spec moves it: elsewhere, checks start on ticks only. */
  const create = (options: Partial<MonitoringOptions> = {}) =>
    new MonitorService(prober, checks, states, maintenance, events, { ...OPTIONS, ...options }, leases, timers);

  /** Ticks at `at` (and moves the probe clock there), then lets finished probes complete. */
  async function tickAt(at: number): Promise<void> {
    prober.clock = at;
    monitor.tick(at);
    await settle();
  }

  /** Every fence of the state store waits until the returned release. */
  function gateFences(): () => void {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fence = states.fence.bind(states);
    states.fence = async (...args) => {
      await gate;
      return fence(...args);
    };
    return () => release();
  }

  /** Another service id in the same shard as `id`. */
  const sameShardAs = (id: string) =>
    Array.from({ length: 500 }, (_, index) => `svc-${index}`).find((other) => shardOf(other) === shardOf(id))!;

  beforeEach(() => {
    prober = new FakeProber(BASE);
    checks = new InMemoryCheckStore();
    states = new InMemoryStateAndRollupStore();
    maintenance = new MaintenanceCache();
    events = new MonitoringEvents();
    changes = [];
    events.stateChanged$.subscribe((change) => changes.push(change));
    leases = new FakeShardLeases();
    timers = new FakeTimers(BASE);
    monitor = create();
  });

  afterEach(async () => {
    prober.release();
    await monitor.shutdown(50);
  });

  describe('dispatch', () => {
    it('checks a service only once it is due', async () => {
      monitor.upsert(service('api', { intervalMs: 30 * SECOND }), BASE);
      const due = monitor.get('api')!.nextDueAt;
      expect(due).toBeGreaterThan(BASE);

      await tickAt(due - 1);
      expect(prober.calls).toHaveLength(0);

      await tickAt(due);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.get('api')!.nextDueAt).toBe(due + 30 * SECOND);

      await tickAt(due + 29 * SECOND);
      expect(prober.calls).toHaveLength(1);
      await tickAt(due + 30 * SECOND);
      expect(prober.calls).toHaveLength(2);
    });

    it('dispatches only the services that are due on a tick', async () => {
      monitor.upsert(service('fast', { intervalMs: SECOND }), BASE);
      monitor.upsert(service('slow', { intervalMs: 60 * SECOND }), BASE);
      const fastDue = monitor.get('fast')!.nextDueAt;
      const slowDue = monitor.get('slow')!.nextDueAt;
      const end = BASE + 150 * SECOND;
      const slowCalls: number[] = [];
      for (let at = BASE; at <= end; at += SECOND) {
        const before = prober.callsTo(service('slow').url);
        await tickAt(at);
        if (prober.callsTo(service('slow').url) > before) slowCalls.push(at);
      }
      // Ticks come on whole seconds here: a check due at .offset starts on the tick after it.
      const tickAfter = (due: number) => BASE + Math.ceil((due - BASE) / SECOND) * SECOND;
      expect(prober.callsTo(service('fast').url)).toBe((end - tickAfter(fastDue)) / SECOND + 1);
      expect(slowCalls).toEqual(
        [slowDue, slowDue + 60 * SECOND, slowDue + 120 * SECOND].map(tickAfter).filter((at) => at <= end),
      );
      expect(slowCalls.length).toBeGreaterThanOrEqual(2);
    });

    it('honours the injected clock when it advances the schedule (tick(now) behind the real clock)', async () => {
      const past = Date.UTC(2026, 0, 10, 12);
      monitor.upsert(service('api', { intervalMs: SECOND }), past);
      const due = monitor.get('api')!.nextDueAt;
      prober.clock = due;
      monitor.tick(due);
      await settle();
      expect(monitor.get('api')!.nextDueAt).toBe(due + SECOND);
      expect(monitor.stats().slip.skippedSlots).toBe(0);
    });

    it('passes the service target to the prober', async () => {
      const check = httpCheck({ method: 'HEAD', expectedStatus: [[204, 204]] });
      monitor.upsert(service('api', { check, timeoutMs: 700, url: 'https://x.test/' }), BASE);
      await tickAt(monitor.get('api')!.nextDueAt);
      expect(prober.calls).toEqual([
        { serviceId: 'api', url: 'https://x.test/', timeoutMs: 700, intervalMs: 1000, check },
      ]);
    });

    it('never runs two checks of one service at once, however many ticks pass', async () => {
      prober.hold = true;
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let at = due; at < due + 5 * SECOND; at += SECOND) await tickAt(at);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.get('api')!.running).toBe(true);

      prober.release();
      await settle();
      expect(monitor.get('api')!.running).toBe(false);
      await tickAt(due + 5 * SECOND);
      expect(prober.calls).toHaveLength(2);
      expect(prober.maxInFlightPerUrl.get(service('api').url)).toBe(1);
    });

    it('keeps at most `concurrency` checks in flight and starts queued ones as slots free up', async () => {
      monitor = create({ concurrency: 2 });
      prober.hold = true;
      for (const id of ['a', 'b', 'c', 'd', 'e']) monitor.upsert(service(id), BASE);
      const due = Math.max(...['a', 'b', 'c', 'd', 'e'].map((id) => monitor.get(id)!.nextDueAt));

      await tickAt(due);
      expect(prober.calls).toHaveLength(2);
      expect(monitor.stats()).toMatchObject({ inFlight: 2, queued: 3 });

      prober.release(1);
      await settle();
      expect(prober.calls).toHaveLength(3);
      expect(monitor.stats()).toMatchObject({ inFlight: 2, queued: 2 });

      prober.release();
      await settle();
      prober.release();
      await settle();
      prober.release();
      await settle();
      expect(prober.calls.map((call) => call.url).sort()).toEqual(
        ['a', 'b', 'c', 'd', 'e'].map((id) => service(id).url).sort(),
      );
      expect(prober.maxInFlight).toBe(2);
      expect(monitor.stats()).toMatchObject({ inFlight: 0, queued: 0 });
    });

    it('does not check a paused service, and checks it again once resumed', async () => {
      monitor.upsert(service('api', { paused: true }), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let at = due; at < due + 3 * SECOND; at += SECOND) await tickAt(at);
      expect(prober.calls).toHaveLength(0);

      monitor.upsert(service('api', { paused: false }), due + 3 * SECOND);
      await tickAt(due + 3 * SECOND);
      expect(prober.calls).toHaveLength(1);
    });

    it('does not start a queued check of a service paused while it waited', async () => {
      monitor = create({ concurrency: 1 });
      prober.hold = true;
      monitor.upsert(service('a'), BASE);
      monitor.upsert(service('b'), BASE);
      await tickAt(Math.max(monitor.get('a')!.nextDueAt, monitor.get('b')!.nextDueAt));
      expect(prober.calls).toHaveLength(1);
      const waiting = prober.calls[0]!.url === service('a').url ? 'b' : 'a';

      monitor.upsert(service(waiting, { paused: true }), BASE);
      prober.release();
      await settle();
      expect(prober.callsTo(service(waiting).url)).toBe(0);
    });
  });

  describe('catalog changes at run time', () => {
    it('checks a service added with upsert from the next tick on', async () => {
      monitor.upsert(service('a'), BASE);
      const due = monitor.get('a')!.nextDueAt;
      await tickAt(due);
      monitor.upsert(service('b'), due);
      await tickAt(monitor.get('b')!.nextDueAt);
      expect(prober.callsTo(service('b').url)).toBe(1);
      expect(monitor.size).toBe(2);
    });

    it('uses an edited definition on the next check and keeps the state and history', async () => {
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due);
      const evaluation = monitor.get('api')!.evaluation;
      expect(evaluation.state).toBe('up');

      monitor.upsert(service('api', { url: 'http://moved.example.com/' }), due);
      expect(monitor.get('api')!.evaluation).toEqual(evaluation);
      expect(monitor.get('api')!.recent).toHaveLength(1);
      await tickAt(due + SECOND);
      expect(prober.calls.at(-1)?.url).toBe('http://moved.example.com/');
    });

    it('reschedules a service whose interval changed', async () => {
      monitor.upsert(service('api', { intervalMs: SECOND }), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due);
      monitor.upsert(service('api', { intervalMs: 10 * SECOND }), due);
      // rhythm resumes from the last check: due + 10 s
      expect(monitor.get('api')!.nextDueAt).toBe(due + 10 * SECOND);
      await tickAt(due + SECOND);
      expect(prober.calls).toHaveLength(1);
    });

    it('stops checking a removed service on the next tick', async () => {
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due);
      expect(monitor.remove('api')).toBe(true);
      expect(monitor.remove('api')).toBe(false);
      for (let at = due + SECOND; at < due + 4 * SECOND; at += SECOND) await tickAt(at);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.get('api')).toBeUndefined();
    });

    it('drops the result of a check that was in flight when its service was removed', async () => {
      prober.hold = true;
      monitor.upsert(service('api'), BASE);
      await tickAt(monitor.get('api')!.nextDueAt);
      monitor.remove('api');
      prober.release();
      await settle();
      await monitor.shutdown(0);
      expect(changes).toEqual([]);
      expect(checks.items).toEqual([]);
    });
  });

  describe('evaluation and events', () => {
    it('emits one state-change event per transition, with from and to', async () => {
      const url = service('api').url;
      prober.outcomes(url, OK, FAIL, FAIL, FAIL, FAIL, OK, OK, OK, OK);
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 9; i += 1) await tickAt(due + i * SECOND);

      expect(prober.calls).toHaveLength(9);
      expect(
        changes.map(({ serviceId, serviceName, from, to, at }) => ({ serviceId, serviceName, from, to, at })),
      ).toEqual([
        { serviceId: 'api', serviceName: 'API', from: 'unknown', to: 'up', at: due },
        { serviceId: 'api', serviceName: 'API', from: 'up', to: 'down', at: due + 2 * SECOND },
        { serviceId: 'api', serviceName: 'API', from: 'down', to: 'up', at: due + 6 * SECOND },
      ]);
      expect(changes[1]!.check).toMatchObject({ ok: false, error: 'HTTP 503', statusCode: 503, state: 'down' });
      expect(changes.every((change) => !change.inMaintenance)).toBe(true);
    });

    it('keeps the newest checks first, at most `recentChecks` of them', async () => {
      monitor = create({ recentChecks: 3 });
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 5; i += 1) await tickAt(due + i * SECOND);
      expect(
        monitor
          .get('api')!
          .recent.toArray()
          .map((check) => check.at),
      ).toEqual([due + 4 * SECOND, due + 3 * SECOND, due + 2 * SECOND]);
    });

    it('stores every check with the state it produced', async () => {
      prober.outcomes(service('api').url, OK, FAIL, FAIL);
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 3; i += 1) await tickAt(due + i * SECOND);
      await monitor.shutdown(0); // writes everything buffered
      expect(checks.items.map(({ at, ok, state, maintenance: m }) => ({ at, ok, state, m }))).toEqual([
        { at: due, ok: true, state: 'up', m: false },
        { at: due + SECOND, ok: false, state: 'up', m: false },
        { at: due + 2 * SECOND, ok: false, state: 'down', m: false },
      ]);
    });

    it('flags checks and events taken during maintenance and keeps them out of the uptime counters', async () => {
      maintenance.set([maintenanceWindow(['api'], BASE - MINUTE, BASE + DAY)]);
      prober.outcomes(service('api').url, FAIL, FAIL);
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 2; i += 1) await tickAt(due + i * SECOND);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ from: 'unknown', to: 'down', inMaintenance: true });
      const rollup = monitor.get('api')!.rollups.get(dayOf(due))!.rollup;
      expect(rollup).toMatchObject({ total: 0, failures: 0, maintenance: 2 });
    });

    it('writes a streak change right after its check, not at the next tick', async () => {
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due); // unknown -> up: a transition, written at once
      await tickAt(due + SECOND); // the streak grows: the check's write follows it, no tick needed
      expect(states.states.get('api')).toMatchObject({ state: 'up', okStreak: 2, fastStreak: 2 });
    });

    it('saves the evaluation state when it changes and stops saving once the counters are capped', async () => {
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 10; i += 1) await tickAt(due + i * SECOND);
      const savesAfterTen = states.saveStateCalls;
      for (let i = 10; i < 20; i += 1) await tickAt(due + i * SECOND);
      expect(states.saveStateCalls).toBe(savesAfterTen);
      expect(states.states.get('api')).toEqual({
        state: 'up',
        since: due,
        failStreak: 0,
        badStreak: 0,
        okStreak: 2,
        fastStreak: 2,
      });
    });
  });

  describe('rollups', () => {
    it('writes a day rollup as soon as its `rollupFlushChecks`-th check is stored, not at the next tick', async () => {
      monitor = create({ rollupFlushChecks: 3 });
      prober.outcomes(service('api').url, OK, FAIL, OK);
      monitor.upsert(service('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      for (let i = 0; i < 3; i += 1) await tickAt(due + i * SECOND);
      expect(states.rollup('api', dayOf(due))).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 80)); // the checks are stored (write-behind, ~50 ms)
      await settle();
      expect(states.rollup('api', dayOf(due))).toMatchObject({ total: 3, failures: 1, through: due + 2 * SECOND });
    });
  });

  describe('load', () => {
    const interval = 5 * MINUTE;
    const today = dayOf(BASE);
    const storedCheck = (at: number, ok: boolean): StoredCheck => ({
      serviceId: 'api',
      at,
      ok,
      latencyMs: 40,
      ...(ok ? {} : { error: 'HTTP 503' }),
      state: 'down',
      maintenance: false,
    });
    const storedState: EvaluationState = {
      state: 'down',
      since: BASE - 20 * MINUTE,
      failStreak: 2,
      badStreak: 2,
      okStreak: 0,
      fastStreak: 0,
    };

    beforeEach(async () => {
      const rollup = emptyRollup('api', today);
      for (const at of [BASE - 30 * MINUTE, BASE - 20 * MINUTE, BASE - 10 * MINUTE])
        foldCheck(rollup, { at, ok: at !== BASE - 20 * MINUTE, latencyMs: 40, maintenance: false });
      await states.saveRollup(rollup, null, 1);
      await states.saveState('api', storedState, 1);
      await checks.append([
        storedCheck(BASE - 30 * MINUTE, true),
        storedCheck(BASE - 20 * MINUTE, false),
        storedCheck(BASE - 10 * MINUTE, true), // the stored rollup's `through`
        storedCheck(BASE - 5 * MINUTE, false), // lost from memory by a crash: replayed
        storedCheck(BASE - MINUTE, true), // replayed
      ]);
    });

    it('restores the evaluation state, recent checks and the rhythm of the last check', async () => {
      await monitor.load([service('api', { intervalMs: interval })], BASE);
      const runtime = monitor.get('api')!;
      expect(runtime.evaluation).toEqual(storedState);
      expect(runtime.recent.toArray().map((check) => check.at)).toEqual([
        BASE - MINUTE,
        BASE - 5 * MINUTE,
        BASE - 10 * MINUTE,
        BASE - 20 * MINUTE,
        BASE - 30 * MINUTE,
      ]);
      // One interval after the last check, on the service's grid (k s + its millisecond offset).
      expect(runtime.nextDueAt).toBe(BASE - MINUTE + interval + offsetOf('api'));
    });

    it('replays the checks stored after the rollup`s `through` into the rollup, once', async () => {
      await monitor.load([service('api', { intervalMs: interval })], BASE);
      expect(monitor.get('api')!.rollups.get(today)!.rollup).toMatchObject({
        total: 5,
        failures: 2,
        through: BASE - MINUTE,
      });

      await monitor.shutdown(0); // writes every rollup with pending checks
      expect(states.rollup('api', today)).toMatchObject({ total: 5, failures: 2, through: BASE - MINUTE });

      // A second restart finds nothing newer than the rollup it just wrote.
      const again = create();
      await again.load([service('api', { intervalMs: interval })], BASE + SECOND);
      expect(again.get('api')!.rollups.get(today)!.rollup).toMatchObject({ total: 5, failures: 2 });
      await again.shutdown(10);
    });

    it('starts a service without stored state as unknown and replays checks since the start of yesterday', async () => {
      const old = (at: number, ok: boolean): StoredCheck => ({ ...storedCheck(at, ok), serviceId: 'new' });
      await checks.append([old(BASE - 3 * DAY, false), old(BASE - DAY, false), old(BASE - 2 * MINUTE, true)]);
      await monitor.load([service('new')], BASE);
      const runtime = monitor.get('new')!;
      expect(runtime.evaluation).toEqual(INITIAL_EVALUATION);
      expect(runtime.rollups.get(dayOf(BASE - 3 * DAY))).toBeUndefined();
      expect(runtime.rollups.get(dayOf(BASE - DAY))!.rollup).toMatchObject({ total: 1, failures: 1 });
      expect(runtime.rollups.get(today)!.rollup).toMatchObject({ total: 1, failures: 0 });
    });

    it('replays every missed check even when there are more of them than the recent checks it loads', async () => {
      monitor = create({ recentChecks: 3 });
      const recentCheck = (at: number, ok: boolean): StoredCheck => ({ ...storedCheck(at, ok), serviceId: 'busy' });
      await checks.append(
        Array.from({ length: 10 }, (_, index) => recentCheck(BASE - (10 - index) * MINUTE, index % 2 === 0)),
      );
      await monitor.load([service('busy')], BASE);
      expect(monitor.get('busy')!.recent).toHaveLength(3);
      expect(monitor.get('busy')!.rollups.get(today)!.rollup).toMatchObject({ total: 10, failures: 5 });
    });

    describe('in two steps at boot (open)', () => {
      /**
       * checks.recent waits until `release()`: the background half of the boot is held where it reads (`only`: held
       * for that service alone, the others restore at once).
       */
      function holdRecentReads(only?: string) {
        let release = () => undefined as void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const recent = checks.recent.bind(checks);
        let reads = 0;
        checks.recent = async (serviceId, limit) => {
          reads += 1;
          if (only === undefined || serviceId === only) await gate;
          return recent(serviceId, limit);
        };
        return { release, reads: () => reads };
      }

      /** Installed: the check taken at `due` while the restore read, on top of the five stored checks, each once. */
      function expectRestoredWithCheckAt(api: NonNullable<ReturnType<MonitorService['get']>>, due: number): void {
        expect(api.restoring).toBe(false);
        expect(api.recent.toArray().map((check) => check.at)).toEqual([
          due,
          BASE - MINUTE,
          BASE - 5 * MINUTE,
          BASE - 10 * MINUTE,
          BASE - 20 * MINUTE,
          BASE - 30 * MINUTE,
        ]);
      }

      it('shows every service`s stored state and rollups after one pass over the state table, none queried alone', async () => {
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval }), service('fresh')], BASE);
        expect(states.loadAllCalls).toBe(1);
        expect(states.loadCalls).toBe(0);
        const api = monitor.get('api')!;
        expect(api.evaluation).toEqual(storedState);
        expect(api.rollups.get(today)!.rollup).toMatchObject({ total: 3, failures: 1, through: BASE - 10 * MINUTE });
        expect(api.restoring).toBe(true);
        expect(monitor.get('fresh')!.evaluation).toEqual(INITIAL_EVALUATION);
        expect(monitor.stats().restoring).toBe(2);

        held.release();
        await restored;
        // the recent checks are in, the checks after the rollup folded once, and the rhythm of the last check kept
        expect(api.restoring).toBe(false);
        expect(api.recent.toArray().map((check) => check.at)[0]).toBe(BASE - MINUTE);
        expect(api.rollups.get(today)!.rollup).toMatchObject({ total: 5, failures: 2, through: BASE - MINUTE });
        expect(api.nextDueAt).toBe(BASE - MINUTE + interval + offsetOf('api'));
        expect(states.loadCalls).toBe(0);
        expect(monitor.stats().restoring).toBe(0);
      });

      it('installs the finished days a read by key left undecoded, and does not copy them again that day', async () => {
        const finished = [dayOf(BASE - 9 * DAY), dayOf(BASE - 2 * DAY)];
        for (const day of finished) await states.saveRollup(dayRollup('api', day, { checks: 4 }), null, 1);
        const beforeYesterday = dayOf(BASE - 2 * DAY);
        // As the DynamoDB adapter reads a service by key: the copy's days decoded only when asked, each time anew.
        const loadAll = states.loadAll.bind(states);
        let decoded = 0;
        states.loadAll = async (...args) => {
          const out = await loadAll(...args);
          const api = out.get('api')!;
          const copy = api.rollups.filter((rollup) => rollup.day <= beforeYesterday);
          api.rollups = api.rollups.filter((rollup) => rollup.day > beforeYesterday);
          api.finishedThrough = beforeYesterday;
          api.finishedRollups = () => {
            decoded += 1;
            return structuredClone(copy);
          };
          return out;
        };
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        const shown = () => finished.map((day) => monitor.get('api')!.finished.rollup(day)?.total);
        expect(shown()).toEqual([4, 4]);
        held.release();
        await restored;
        expect(shown()).toEqual([4, 4]);
        expect(decoded).toBeGreaterThanOrEqual(2);
        // The restore kept the copy's `through`: the ticks after it (and after the boot's first minute, when copies
        // may start) write no copy that day.
        await tickAt(BASE + SECOND);
        await tickAt(BASE + MINUTE + SECOND);
        await tickAt(BASE + MINUTE + 2 * SECOND);
        expect(states.saveFinishedDaysCalls).toBe(0);
      });

      it('starts no copy of the finished days until the restore is done and the first checks` minute is over', async () => {
        for (const day of [dayOf(BASE - 9 * DAY), dayOf(BASE - 2 * DAY)])
          await states.saveRollup(dayRollup('api', day, { checks: 4 }), null, 1);
        const startedAt = BASE - 5 * SECOND;
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE, startedAt);
        await tickAt(BASE + SECOND);
        held.release();
        await restored;
        // Due (no copy stored), restored, but still within a minute of the process start.
        await tickAt(startedAt + MINUTE - SECOND);
        expect(states.saveFinishedDaysCalls).toBe(0);
        await tickAt(startedAt + MINUTE);
        expect(states.saveFinishedDaysCalls).toBe(1);
        expect(states.finishedCopies.get('api')?.through).toBe(dayOf(BASE - 2 * DAY));
      });

      it('holds the copies for as long as the restore takes, past the first minute', async () => {
        for (const id of ['api', 'slow'])
          await states.saveRollup(dayRollup(id, dayOf(BASE - 9 * DAY), { checks: 4 }), null, 1);
        // Only `slow`'s read waits: `api` is restored (and its copy due) long before the restore as a whole is done.
        const held = holdRecentReads('slow');
        const { restored } = await monitor.open(
          [service('api', { intervalMs: interval }), service('slow', { intervalMs: interval })],
          BASE,
          BASE,
        );
        await tickAt(BASE + 2 * MINUTE);
        await tickAt(BASE + 2 * MINUTE + SECOND);
        expect(monitor.get('api')!.restoring).toBe(false);
        expect(states.saveFinishedDaysCalls).toBe(0);
        held.release();
        await restored;
        await tickAt(BASE + 2 * MINUTE + 2 * SECOND);
        await tickAt(BASE + 2 * MINUTE + 3 * SECOND);
        expect(states.saveFinishedDaysCalls).toBe(2);
      });

      it('reads today`s hour slots before a service is restored, so the rollup it rewrites keeps them', async () => {
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        // the one pass leaves the hour slots out (the page does not show them) ...
        expect(monitor.get('api')!.rollups.get(today)!.rollup.hourTotal).toEqual([]);
        held.release();
        await restored;
        // ... and the restore reads the last two days whole, by key, before it installs them
        expect(states.loadRollupsCalls).toBe(1);
        expect(states.loadCalls).toBe(0);
        const hourTotals = (hours: number[]) => hours.reduce((sum, count) => sum + count, 0);
        expect(hourTotals(monitor.get('api')!.rollups.get(today)!.rollup.hourTotal)).toBe(5);
        await monitor.shutdown(0);
        expect(states.rollup('api', today)).toMatchObject({ total: 5, through: BASE - MINUTE });
        expect(hourTotals(states.rollup('api', today)!.hourTotal)).toBe(5);
        expect(hourTotals(states.rollup('api', today)!.hourFailures)).toBe(2);
      });

      it('spreads the first checks within one interval of the process start, keeping a stored rhythm', async () => {
        const startedAt = BASE - 6 * SECOND; // start-up and the boot pass took 6 s
        const fresh = Array.from({ length: 60 }, (_, index) => service(`fresh-${index}`, { intervalMs: MINUTE }));
        await monitor.load([service('api', { intervalMs: interval }), ...fresh], BASE);
        const unanchored = fresh.map((one) => monitor.get(one.id)!.nextDueAt);
        expect(Math.max(...unanchored)).toBeGreaterThan(startedAt + MINUTE); // counted from `now`, some land later

        const again = create();
        await again
          .open([service('api', { intervalMs: interval }), ...fresh], BASE, startedAt)
          .then((boot) => boot.restored);
        for (const one of fresh) {
          expect(again.get(one.id)!.nextDueAt).toBeGreaterThanOrEqual(BASE);
          expect(again.get(one.id)!.nextDueAt).toBeLessThanOrEqual(startedAt + MINUTE);
        }
        expect(new Set(fresh.map((one) => Math.floor(again.get(one.id)!.nextDueAt / SECOND))).size).toBeGreaterThan(20);
        // last checked a minute ago, every 5 minutes: still one interval after that check
        expect(again.get('api')!.nextDueAt).toBe(BASE - MINUTE + interval + offsetOf('api'));
        await again.shutdown(10);
      });

      it('without a clean-stop record, holds back only services with something stored (never checked: spread from the start)', async () => {
        const held = holdRecentReads();
        const { restored } = await monitor.open(
          [service('api', { intervalMs: interval }), service('added', { intervalMs: interval })],
          BASE,
        );
        expect(monitor.get('api')!.nextDueAt).toBeGreaterThanOrEqual(BASE + interval / 2);
        const added = monitor.get('added')!;
        expect(added.restoring).toBe(true);
        expect(added.nextDueAt).toBeGreaterThanOrEqual(BASE);
        expect(added.nextDueAt).toBeLessThan(BASE + MINUTE);
        held.release();
        await restored;
      });

      it('after a crash: checks from the start while the recent checks load, writes no rollup before they are in, counts each check once', async () => {
        // as a crash leaves it (beforeEach): the rollup written through -10 min, the checks of -5 and -1 min not in it
        const readRecent = checks.recent.bind(checks);
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        const api = monitor.get('api')!;
        expect(api.restoring).toBe(true);
        // the rhythm of the last check (BASE + 4 min) only the recent checks could tell: at least half an
        // interval after the start (after any check the crashed run took), within one interval of it
        expect(api.nextDueAt).toBeGreaterThanOrEqual(BASE + interval / 2);
        expect(api.nextDueAt).toBeLessThan(BASE + interval / 2 + 30 * SECOND);
        prober.outcomes(service('api').url, FAIL);
        const due = api.nextDueAt;
        await tickAt(due);
        expect(prober.calls).toHaveLength(1);
        expect(api.evaluation).toMatchObject({ state: 'down', failStreak: 2, since: storedState.since }); // on the stored state
        // the check is stored, and flushes run: the rollup still waits for the restore (its hour slots, its catch-up)
        while ((await readRecent('api', 30)).length < 6) await new Promise((resolve) => setTimeout(resolve, 5));
        for (let at = due + SECOND; at <= due + 3 * SECOND; at += SECOND) await tickAt(at);
        expect(states.rollup('api', today)).toMatchObject({ total: 3, failures: 1, through: BASE - 10 * MINUTE });
        held.release();
        await restored;
        expectRestoredWithCheckAt(api, due);
        // the two checks the crash kept out of the rollup, and the check taken meanwhile, each once
        expect(api.rollups.get(today)!.rollup).toMatchObject({ total: 6, failures: 3, through: due });
        expect(api.nextDueAt).toBe(due + interval);
        await monitor.shutdown(0);
        expect(states.rollup('api', today)).toMatchObject({ total: 6, failures: 3, through: due });
      });

      describe('after a clean stop (the record of it taken at boot)', () => {
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        /** A first run that loads and stops cleanly: every rollup written through the last stored check. */
        async function stopCleanly(): Promise<void> {
          await monitor.load([service('api', { intervalMs: interval })], BASE);
          await monitor.shutdown(0);
          expect(states.rollup('api', today)).toMatchObject({ total: 5, through: BASE - MINUTE });
          expect(states.cleanStop).not.toBeNull();
        }

        it.each([
          ['stored before the restore read', true],
          ['stored only after the restore installed', false],
        ])(
          'checks on the rhythm of the last check while the recent checks load; a check %s is counted once',
          async (_, storedFirst) => {
            await stopCleanly();
            const readRecent = checks.recent.bind(checks);
            const storedChecks = async () => (await readRecent('api', 30)).length;
            const held = holdRecentReads();
            const append = checks.append.bind(checks);
            let releaseAppend = () => undefined as void;
            const appendGate = storedFirst ? null : new Promise<void>((resolve) => (releaseAppend = resolve));
            checks.append = async (batch) => {
              if (appendGate) await appendGate;
              return append(batch);
            };
            const again = create();
            const { restored } = await again.open([service('api', { intervalMs: interval })], BASE + SECOND);
            expect(states.cleanStop).toBeNull(); // taken: a crash from here on leaves no record
            const api = again.get('api')!;
            expect(api.restoring).toBe(true);
            // the rhythm of the last stored check (the rollup's `through`), not a spread first check
            expect(api.nextDueAt).toBe(BASE - MINUTE + interval + offsetOf('api'));
            prober.outcomes(service('api').url, FAIL);
            const due = api.nextDueAt;
            prober.clock = due;
            again.tick(due);
            await settle();
            expect(prober.calls).toHaveLength(1);
            expect(api.evaluation).toMatchObject({ state: 'down', failStreak: 2, since: storedState.since }); // on the stored state
            if (storedFirst) while ((await storedChecks()) < 6) await sleep(5);
            held.release();
            await restored;
            expectRestoredWithCheckAt(api, due);
            expect(api.evaluation).toMatchObject({ state: 'down', failStreak: 2, since: storedState.since });
            expect(api.nextDueAt).toBe(due + interval);
            expect(api.rollups.get(today)!.rollup).toMatchObject({ total: 6, failures: 3, through: due });
            releaseAppend();
            while ((await storedChecks()) < 6) await sleep(5);
            await again.shutdown(0);
            expect(states.rollup('api', today)).toMatchObject({ total: 6, failures: 3, through: due });
            expect(states.cleanStop).not.toBeNull();
          },
        );

        it('records no clean stop when a restore was cut short, a rollup could not be written, or replicas share the storage', async () => {
          const held = holdRecentReads();
          await monitor.open([service('api', { intervalMs: interval })], BASE);
          await monitor.shutdown(0);
          expect(states.cleanStop).toBeNull(); // not every service was restored
          held.release();

          const failing = create();
          await failing.load([service('api', { intervalMs: interval })], BASE);
          states.saveRollup = () => Promise.reject(new Error('throttled'));
          await failing.shutdown(0);
          expect(states.cleanStop).toBeNull(); // today's rollup still has checks to write
        });

        it('with several replicas neither takes nor records it (a fence and a read after it decide there)', async () => {
          await stopCleanly();
          const marked = states.cleanStop;
          leases.fencing = true;
          const shared = create();
          await shared.load([service('api', { intervalMs: interval })], BASE + SECOND);
          expect(states.cleanStop).toBe(marked);
          states.cleanStop = null;
          await shared.shutdown(0);
          expect(states.cleanStop).toBeNull();
        });
      });

      it('reports a restore cut short by shutdown as such, not as complete', async () => {
        const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
        try {
          const held = holdRecentReads();
          const services = Array.from({ length: 10 }, (_, index) => service(`svc-${index}`));
          const { restored } = await monitor.open(services, BASE);
          await monitor.shutdown(0);
          held.release();
          await restored;
          const lines = logged.mock.calls.map(([message]) => String(message));
          expect(lines.filter((line) => line.includes('restored in'))).toEqual([]);
          expect(
            lines.some((line) =>
              /^restoring recent checks stopped by shutdown: \d of 10 services in \d+ ms$/.test(line),
            ),
          ).toBe(true);
        } finally {
          logged.mockRestore();
        }
      });

      it('checks a service at its due time once restored, evaluated from its stored state', async () => {
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        held.release();
        await restored;
        const due = monitor.get('api')!.nextDueAt;
        prober.outcomes(service('api').url, FAIL);
        await tickAt(due);
        expect(prober.calls).toHaveLength(1);
        // down stored: one more failure is no transition (from a fresh evaluation it would be one)
        await settle();
        expect(changes).toEqual([]);
        expect(monitor.get('api')!.evaluation).toMatchObject({ state: 'down', since: storedState.since });
      });

      it('does not bring back a service removed while its recent checks were loading', async () => {
        const held = holdRecentReads();
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        expect(monitor.remove('api')).toBe(true);
        held.release();
        await restored;
        expect(monitor.get('api')).toBeUndefined();
      });

      it('keeps retrying a service whose read fails, and checks it once the read succeeds', async () => {
        const recent = checks.recent.bind(checks);
        let failures = 2;
        checks.recent = (...args) => (failures-- > 0 ? Promise.reject(new Error('throttled')) : recent(...args));
        await monitor.load([service('api', { intervalMs: interval })], BASE);
        expect(monitor.get('api')!.restoring).toBe(false);
        expect(monitor.get('api')!.recent).toHaveLength(5);
      });

      /** Several replicas: `shard` claimed (not adopted) under `epoch`; every fence waits until the returned release. */
      function claimWithGatedFence(shard: number, epoch: number): () => void {
        leases.fencing = true;
        leases.owned.delete(shard);
        leases.claim(shard, epoch);
        return gateFences();
      }

      it('with several replicas: fences each service of a claimed shard, takes what an older owner wrote meanwhile from the fence, then adopts the shard', async () => {
        const shard = shardOf('api');
        const release = claimWithGatedFence(shard, 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        expect(monitor.owns('api')).toBe(false); // shown, not worked, until fenced
        // the coordinator's own adoption of the claimed shard joins the boot's instead of fencing again
        const adoption = monitor.adopt(shard, 7, true, BASE);
        // an older owner writes between the boot's read and its fence: its state, and today's rollup through the
        // checks it stored (the recent checks, read after the fence, end there too)
        expect(await states.saveState('api', { ...storedState, failStreak: 3, badStreak: 3 }, 5)).toBe(true);
        const moved = emptyRollup('api', today);
        for (const check of (await checks.recent('api', 10)).reverse()) foldCheck(moved, check);
        expect(await states.saveRollup(moved, BASE - 10 * MINUTE, 5)).toBe('saved');
        release();
        await restored;
        expect(await adoption).toBe('adopted');
        expect(states.fenceCalls).toBe(1);
        expect(states.epochs.get('api')).toBe(7);
        expect(leases.epochOf(shard)).toBe(7);
        expect(monitor.get('api')!.epoch).toBe(7);
        expect(monitor.get('api')!.evaluation.failStreak).toBe(3);
        // the fence returned both items: nothing read again, the checks it stored are not folded twice, and the
        // next write of today expects the stored item as the older owner left it (not as the boot read it)
        const slot = monitor.get('api')!.rollups.get(today)!;
        expect(slot.rollup).toMatchObject({ total: 5, failures: 2, through: BASE - MINUTE });
        expect(slot.persistedThrough).toBe(BASE - MINUTE);
        expect(states.loadCalls).toBe(0);
      });

      it('with several replicas: a fenced service gets yesterday`s hour slots whole, as the boot`s read left them out', async () => {
        const yesterday = dayOf(BASE - DAY);
        const stored = emptyRollup('api', yesterday);
        foldCheck(stored, { at: BASE - DAY, ok: false, latencyMs: 40, maintenance: false });
        expect(await states.saveRollup(stored, null, 5)).toBe('saved');
        const release = claimWithGatedFence(shardOf('api'), 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        release();
        await restored;
        expect(states.loadCalls).toBe(0);
        const slot = monitor.get('api')!.rollups.get(yesterday)!;
        expect(slot.rollup.hourTotal).toEqual(stored.hourTotal);
        expect(slot.rollup.hourFailures).toHaveLength(24);
      });

      it('with several replicas: early in the day the fence returns yesterday`s rollup too (an older owner still writes it then)', async () => {
        const early = startOfDay(BASE) + 5 * MINUTE;
        const yesterday = dayOf(BASE - DAY);
        const before = emptyRollup('api', yesterday);
        foldCheck(before, { at: BASE - DAY, ok: true, latencyMs: 40, maintenance: false });
        expect(await states.saveRollup(before, null, 5)).toBe('saved');
        const shard = shardOf('api');
        const release = claimWithGatedFence(shard, 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], early);
        // the older owner's first flush after midnight writes yesterday's last checks
        const last = { ...before, total: 2, through: startOfDay(BASE) - SECOND };
        expect(await states.saveRollup(last, before.through, 5)).toBe('saved');
        release();
        await restored;
        expect(states.loadCalls).toBe(0);
        expect(states.epochs.get(`api/${yesterday}`)).toBe(7);
        const slot = monitor.get('api')!.rollups.get(yesterday)!;
        expect(slot.rollup).toMatchObject({ total: 2, through: startOfDay(BASE) - SECOND });
        expect(slot.persistedThrough).toBe(startOfDay(BASE) - SECOND);
      });

      it('fences yesterday`s rollup in the first 15 minutes of a day only', () => {
        const midnight = startOfDay(BASE);
        expect(fencedDays(midnight)).toEqual([dayOf(BASE - DAY), dayOf(BASE)]);
        expect(fencedDays(midnight + YESTERDAY_FENCED_MS - 1)).toEqual([dayOf(BASE - DAY), dayOf(BASE)]);
        expect(fencedDays(midnight + YESTERDAY_FENCED_MS)).toEqual([dayOf(BASE)]);
        expect(fencedDays(BASE)).toEqual([dayOf(BASE)]);
      });

      it('with several replicas: a boot whose fence comes after the day turned reads the service again', async () => {
        const shard = shardOf('api');
        const release = claimWithGatedFence(shard, 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        timers.advanceTo(startOfDay(BASE) + DAY + SECOND); // the fence stamps the boot's days, not the new one
        expect(await states.saveState('api', { ...storedState, failStreak: 3, badStreak: 3 }, 5)).toBe(true);
        release();
        await restored;
        expect(states.loadCalls).toBe(1);
        expect(monitor.get('api')!.evaluation.failStreak).toBe(3);
        expect(monitor.get('api')!.rollups.get(today)!.rollup).toMatchObject({ total: 5, failures: 2 });
      });

      it('with several replicas: a service added to a claimed shard while the boot fences it is fenced and worked too', async () => {
        const shard = shardOf('api');
        const sibling = sameShardAs('api');
        const release = claimWithGatedFence(shard, 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        await settle();
        // created through the admin API while the boot fences the shard's services: no epoch yet
        monitor.upsert(service(sibling, { intervalMs: interval }), BASE);
        expect(monitor.get(sibling)!.epoch).toBeNull();
        release();
        await restored;
        expect(await monitor.adopt(shard, 7, true, BASE)).toBe('adopted');
        expect(leases.epochOf(shard)).toBe(7);
        expect(monitor.get('api')!.epoch).toBe(7);
        expect(monitor.get(sibling)!.epoch).toBe(7);
        expect(states.epochs.get(sibling)).toBe(7);
        expect(states.fenceCalls).toBe(2);
      });

      it('with several replicas: only shows a service whose claimed shard was taken while the boot fenced it', async () => {
        const shard = shardOf('api');
        const release = claimWithGatedFence(shard, 7);
        const { restored } = await monitor.open([service('api', { intervalMs: interval })], BASE);
        await settle();
        leases.lost(shard, 7); // another replica took the shard meanwhile
        release();
        await restored;
        await settle();
        expect(monitor.owns('api')).toBe(false);
        for (let at = BASE; at <= BASE + interval; at += MINUTE) await tickAt(at);
        expect(prober.calls).toHaveLength(0);
        expect(monitor.get('api')!.recent).toHaveLength(5); // shown from storage all the same
      });

      it('with several replicas: gives a claimed shard up when a newer epoch was already stamped on it', async () => {
        const shard = shardOf('api');
        leases.fencing = true;
        leases.owned.delete(shard);
        leases.claim(shard, 7);
        await states.fence('api', [dayOf(BASE)], 9);
        await monitor.load([service('api', { intervalMs: interval })], BASE);
        expect(leases.lostCalls).toContainEqual({ shard, epoch: 7 });
        expect(monitor.owns('api')).toBe(false);
      });
    });

    it('loads every service of the catalog and bumps the version', async () => {
      const before = monitor.version;
      await monitor.load(
        ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => service(id)),
        BASE,
      );
      expect(monitor.size).toBe(6);
      expect(monitor.version).toBeGreaterThan(before);
    });
  });

  describe('as one of several replicas (shards)', () => {
    const storedCheck = (id: string, at: number, ok = true): StoredCheck => ({
      serviceId: id,
      at,
      ok,
      latencyMs: 25,
      ...(ok ? { statusCode: 200 } : { statusCode: 503, error: 'HTTP 503' }),
      state: ok ? 'up' : 'down',
      maintenance: false,
    });

    it('checks only the services of the shards it works; the others only from what it hears', async () => {
      const mine = service('mine');
      const theirs = service('theirs');
      leases.lose(shardOf('theirs'));
      await monitor.load([mine, theirs], BASE);
      expect(monitor.owns('mine')).toBe(true);
      expect(monitor.owns('theirs')).toBe(false);
      for (let at = BASE; at < BASE + 5 * SECOND; at += SECOND) await tickAt(at);
      expect(prober.callsTo(mine.url)).toBeGreaterThan(0);
      expect(prober.callsTo(theirs.url)).toBe(0);

      monitor.applyRemote([
        storedCheck('theirs', BASE + SECOND, false),
        storedCheck('theirs', BASE + 2 * SECOND, false),
      ]);
      monitor.applyRemote([storedCheck('theirs', BASE + SECOND, false)]); // replayed: ignored
      monitor.applyRemote([storedCheck('mine', BASE + 3 * SECOND, false)]); // ours: never taken from the feed
      const runtime = monitor.get('theirs')!;
      expect(runtime.recent.toArray().map((check) => check.at)).toEqual([BASE + 2 * SECOND, BASE + SECOND]);
      expect(runtime.evaluation).toMatchObject({ state: 'down', since: BASE + SECOND });
      expect(runtime.rollups.get(dayOf(BASE))!.rollup).toMatchObject({ total: 2, failures: 2 });
      expect(
        monitor
          .get('mine')!
          .recent.toArray()
          .every((check) => check.ok),
      ).toBe(true);
      // nothing of the other replica's service is ever written from here
      await tickAt(BASE + 10 * MINUTE);
      await monitor.shutdown(50);
      expect(states.rollup('theirs', dayOf(BASE))).toBeUndefined();
      expect(checks.items.filter((check) => check.serviceId === 'theirs')).toEqual([]);
    });

    it('stops checking a shard the moment it is lost, and discards the result of a check still running', async () => {
      const api = service('api');
      await monitor.load([api], BASE);
      const due = monitor.get('api')!.nextDueAt;
      prober.hold = true;
      await tickAt(due);
      expect(prober.calls).toHaveLength(1);
      leases.lose(shardOf('api'));
      prober.hold = false;
      prober.release();
      await settle();
      expect(monitor.get('api')!.recent.toArray()).toEqual([]);
      for (let at = due + SECOND; at < due + 5 * SECOND; at += SECOND) await tickAt(at);
      expect(prober.calls).toHaveLength(1);
    });

    it('works a service added to a shard while the shard is being adopted (the adoption had listed the others)', async () => {
      const shard = shardOf('api');
      const sibling = sameShardAs('api');
      leases.fencing = true;
      leases.lose(shard);
      await monitor.load([service('api')], BASE);
      const release = gateFences();
      const adoption = leases.takeOver(shard, 7);
      await settle();
      // created through the admin API (or learned from the feed) while the shard's services are being fenced
      monitor.upsert(service(sibling), BASE);
      expect(monitor.owns(sibling)).toBe(false);
      release();
      expect(await adoption).toBe('adopted');
      expect(monitor.get('api')!.epoch).toBe(7);
      expect(monitor.get(sibling)!.epoch).toBe(7);
      expect(states.epochs.get(sibling)).toBe(7); // fenced like the others
      const due = monitor.get(sibling)!.nextDueAt;
      await tickAt(due);
      expect(prober.callsTo(service(sibling).url)).toBe(1);
    });

    it('adopts a shard taken over from a crashed owner: fences, restores, catches up at once, then keeps its rhythm', async () => {
      const api = service('api', { intervalMs: 10 * SECOND });
      leases.fencing = true;
      leases.lose(shardOf('api'));
      await monitor.load([api], BASE);
      // the previous owner stored two checks (started a few ms after their slots on api's grid) and its state,
      // then died; its last slot (slot + 10 s) was missed
      const slot = BASE + offsetOf('api');
      await checks.append([storedCheck('api', slot - 10 * SECOND + 4), storedCheck('api', slot + 3)]);
      await states.saveState(
        'api',
        { ...INITIAL_EVALUATION, state: 'up', since: BASE - 10 * SECOND, okStreak: 2, fastStreak: 2 },
        3,
      );
      const now = BASE + 14_500;
      expect(await leases.takeOver(shardOf('api'), 7)).toBe('adopted');
      expect(states.epochs.get('api')).toBe(7); // an older owner's writes are refused from now on
      const runtime = monitor.get('api')!;
      expect(runtime.epoch).toBe(7);
      expect(runtime.recent.toArray().map((check) => check.at)).toEqual([slot + 3, slot - 10 * SECOND + 4]);
      expect(runtime.evaluation.state).toBe('up');
      // catch-up at the next tick, then back on the old grid (slot + 20 s, not 10 s after the catch-up)
      await tickAt(now);
      expect(prober.calls).toHaveLength(1);
      expect(runtime.nextDueAt).toBe(slot + 20 * SECOND);
    });

    it('keeps the check after a catch-up half an interval from when the catch-up really started (it may start late)', async () => {
      const api = service('api', { intervalMs: 10 * SECOND });
      leases.fencing = true;
      leases.lose(shardOf('api'));
      await monitor.load([api], BASE);
      const slot = BASE + offsetOf('api');
      await checks.append([storedCheck('api', slot + 3)]);
      expect(await leases.takeOver(shardOf('api'), 7)).toBe('adopted');
      const runtime = monitor.get('api')!;
      // the catch-up is handed over at slot + 15 s, exactly half an interval before the grid's slot + 20 s, and
      // the prober starts it 40 ms later (a busy probe thread): slot + 20 s would be 4.96 s after it
      const now = slot + 15 * SECOND;
      prober.clock = now + 40;
      monitor.tick(now);
      await settle();
      expect(prober.calls).toHaveLength(1);
      expect(runtime.recent.newest?.at).toBe(now + 40);
      expect(runtime.nextDueAt).toBe(slot + 20 * SECOND);
      // its slot comes: 4.96 s after the catch-up really started, it is skipped (and counted), and the grid goes on
      const skipped = monitor.stats().slip.skippedSlots;
      await tickAt(slot + 20 * SECOND);
      expect(prober.calls).toHaveLength(1);
      expect(runtime.nextDueAt).toBe(slot + 30 * SECOND);
      expect(monitor.stats().slip.skippedSlots).toBe(skipped + 1);
      await tickAt(slot + 30 * SECOND);
      expect(prober.calls).toHaveLength(2);
    });

    it('keeps a check heard while it reloads a service from storage (the read may predate the check)', async () => {
      const api = service('api');
      leases.lose(shardOf('api'));
      await monitor.load([api], BASE);
      let release = () => undefined as void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const load = states.load.bind(states);
      states.load = async (...args) => {
        const result = await load(...args);
        await gate; // the read happened before the check below was stored
        return result;
      };
      const reload = monitor.resync(shardOf('api'), BASE);
      await settle();
      monitor.applyRemote([storedCheck('api', BASE + SECOND)]);
      release();
      await reload;
      expect(
        monitor
          .get('api')!
          .recent.toArray()
          .map((check) => check.at),
      ).toEqual([BASE + SECOND]);
      expect(monitor.get('api')!.rollups.get(dayOf(BASE))!.rollup.total).toBe(1);
    });

    it('gives a shard up when a state write meets a newer epoch (another replica took it meanwhile)', async () => {
      const api = service('api');
      await monitor.load([api], BASE);
      await states.fence('api', [dayOf(BASE)], 99);
      prober.outcomes(api.url, FAIL, FAIL);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due);
      await tickAt(due + SECOND); // down: the transition write is refused
      await settle();
      expect(leases.lostCalls).toContainEqual({ shard: shardOf('api'), epoch: 1 });
      expect(monitor.owns('api')).toBe(false);
      expect(await monitor.durable('api')).toBe(false); // incidents will not act on it
    });

    it('holds its checks while the lease cannot be confirmed, and writes them (and only then the rollup) after', async () => {
      const api = service('api');
      await monitor.load([api], BASE);
      leases.holding = true;
      const due = monitor.get('api')!.nextDueAt;
      for (let at = due; at < due + 12 * SECOND; at += SECOND) await tickAt(at);
      await new Promise((resolve) => setTimeout(resolve, 80));
      await tickAt(due + 12 * SECOND);
      expect(checks.items).toEqual([]);
      expect(states.rollup('api', dayOf(due))).toBeUndefined();
      leases.holding = false;
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(checks.items).toHaveLength(13);
      await tickAt(due + 13 * SECOND);
      await settle();
      expect(states.rollup('api', dayOf(due))).toMatchObject({ total: 13 });
    });
  });

  describe('the due timer (checks start at their due millisecond, between ticks)', () => {
    const storedCheck = (id: string, at: number): StoredCheck => ({
      serviceId: id,
      at,
      ok: true,
      latencyMs: 25,
      statusCode: 200,
      state: 'up',
      maintenance: false,
    });
    const every20s = (id: string, overrides: Partial<MonitoredService> = {}) =>
      service(id, { intervalMs: 20 * SECOND, ...overrides });

    /** Moves the timers' clock (and the probe's) to `at`, firing what is due on the way, then lets probes finish. */
    async function advanceTo(at: number): Promise<void> {
      prober.clock = at;
      timers.advanceTo(at);
      await settle();
    }

    it('starts a check at its due millisecond without a tick, and re-arms for its next slot', async () => {
      monitor.upsert(every20s('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      expect(due).toBeGreaterThan(BASE);
      expect((due - offsetOf('api')) % SECOND).toBe(0);
      monitor.tick(BASE);
      expect(timers.armed).toEqual([due]);
      await advanceTo(due - 1);
      expect(prober.calls).toHaveLength(0);
      await advanceTo(due);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.stats().slip).toMatchObject({ samples: 1, maxMs: 0 });
      expect(monitor.get('api')!.nextDueAt).toBe(due + 20 * SECOND);
      expect(timers.armed).toEqual([due + 20 * SECOND]);
      await advanceTo(due + 20 * SECOND);
      expect(prober.calls).toHaveLength(2);
    });

    describe('with a prober that takes checks early (a lead, like the probe thread)', () => {
      const LEAD = 500;
      beforeEach(async () => {
        await monitor.shutdown(50);
        prober = new FakeProber(BASE, LEAD);
        monitor = create();
      });

      it('hands a check over its lead before its due time, to start at its due millisecond', async () => {
        monitor.upsert(every20s('api'), BASE);
        const due = monitor.get('api')!.nextDueAt;
        expect(due - LEAD).toBeGreaterThan(BASE);
        monitor.tick(BASE);
        expect(timers.armed).toEqual([due - LEAD]);
        await advanceTo(due - LEAD - 1);
        expect(prober.calls).toHaveLength(0);
        prober.clock = due + 3; // the prober reports when it really started: 3 ms late
        timers.advanceTo(due - LEAD);
        await settle();
        expect(prober.startAts).toEqual([due]);
        expect(monitor.get('api')!.nextDueAt).toBe(due + 20 * SECOND);
        expect(timers.armed).toEqual([due + 20 * SECOND - LEAD]);
        // Slip is measured from the prober's own start, not from the hand-over (which was 500 ms early).
        expect(monitor.stats().slip).toMatchObject({ samples: 1, maxMs: 3 });
        expect(monitor.get('api')!.recent.newest).toMatchObject({ at: due + 3 });
      });

      /** Adds 'api', hands its first check over and holds it in the prober; its due time. */
      async function handOverHeld(): Promise<number> {
        prober.hold = true;
        monitor.upsert(every20s('api'), BASE);
        const due = monitor.get('api')!.nextDueAt;
        monitor.tick(BASE);
        await advanceTo(due - LEAD);
        expect(prober.calls.map((call) => call.url)).toEqual([every20s('api').url]);
        return due;
      }

      it('hands over at once a check whose next hand-over came while it ran', async () => {
        const due = await handOverHeld();
        await advanceTo(due + 20 * SECOND - LEAD + 200); // still running when its next hand-over came
        expect(prober.calls).toHaveLength(1);
        prober.release();
        await settle();
        await advanceTo(due + 20 * SECOND - LEAD + 200); // the timer set for "now" fires
        expect(prober.startAts).toEqual([due, due + 20 * SECOND]);
      });

      it('cancels a check not yet started when its target is edited, and takes its slot with the new one', async () => {
        const due = await handOverHeld();
        monitor.upsert(every20s('api', { name: 'renamed' }), due - LEAD + 100); // not what the probe does: kept
        await settle();
        expect(prober.calls).toHaveLength(1);
        const moved = 'http://api.example.com/v2/health';
        monitor.upsert(every20s('api', { url: moved }), due - LEAD + 200);
        await settle(); // the cancelled check resolves and gives its slot back
        await advanceTo(due - LEAD + 200);
        prober.release();
        await settle();
        expect(prober.calls.map((call) => call.url)).toEqual([every20s('api').url, moved]);
        expect(prober.startAts).toEqual([due, due]);
        expect(monitor.get('api')!.nextDueAt).toBe(due + 20 * SECOND);
        expect(monitor.get('api')!.recent.newest).toMatchObject({ at: due - LEAD + 200 });
      });

      it('cancels the checks handed over early when dispatching stops', () => {
        monitor.stopDispatching();
        expect(prober.cancelled).toBe(1);
      });
    });

    it('arms one timer, for the earliest due time among its services, and starts each at its own', async () => {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      for (const id of ids) monitor.upsert(every20s(id), BASE);
      const dues = ids.map((id) => monitor.get(id)!.nextDueAt);
      monitor.tick(BASE);
      expect(timers.armed).toEqual([Math.min(...dues)]);
      const startedAt = new Map<string, number>();
      const probe = prober.probe.bind(prober);
      prober.probe = (target) => {
        startedAt.set(target.serviceId, timers.now());
        return probe(target);
      };
      await advanceTo(BASE + 20 * SECOND - 1);
      expect(Object.fromEntries(startedAt)).toEqual(Object.fromEntries(ids.map((id, index) => [id, dues[index]])));
      expect(monitor.stats().slip.maxMs).toBe(0);
      expect(timers.armed).toEqual([Math.min(...dues) + 20 * SECOND]);
    });

    it('measures slip from the real due time (its millisecond), not from the whole second', async () => {
      monitor.upsert(every20s('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await tickAt(due + 250); // the timer had not started: the tick catches the overdue check
      expect(prober.calls).toHaveLength(1);
      expect(monitor.stats().slip.maxMs).toBe(250);
    });

    it('fires nothing before dispatching starts (the scheduler is ready, or the first tick)', async () => {
      monitor.upsert(every20s('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      await advanceTo(due + 5 * SECOND);
      expect(prober.calls).toHaveLength(0);
      expect(timers.armed).toEqual([]);
      monitor.startDispatching();
      await advanceTo(due + 5 * SECOND);
      expect(prober.calls).toHaveLength(1);
    });

    it('cancels the timer when dispatching stops, and starts nothing after it (not even from a tick)', async () => {
      monitor.upsert(every20s('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      monitor.tick(BASE);
      monitor.stopDispatching();
      expect(timers.armed).toEqual([]);
      await advanceTo(due + MINUTE);
      monitor.tick(due + MINUTE);
      expect(prober.calls).toHaveLength(0);
    });

    it('skips a removed service and re-arms for the next one', async () => {
      monitor.upsert(every20s('a'), BASE);
      monitor.upsert(every20s('b'), BASE);
      const [first, second] = ['a', 'b'].sort((x, y) => monitor.get(x)!.nextDueAt - monitor.get(y)!.nextDueAt);
      const secondDue = monitor.get(second!)!.nextDueAt;
      monitor.tick(BASE);
      monitor.remove(first!);
      expect(timers.armed).toEqual([secondDue]);
      await advanceTo(BASE + 20 * SECOND);
      expect(prober.calls.map((call) => call.serviceId)).toEqual([second]);
    });

    it('skips the services of a shard being handed over, and of a shard lost', async () => {
      // Three services of three different shards.
      const [given, lost, kept] = Array.from({ length: 20 }, (_, index) => `svc-${index}`).filter(
        (id, index, all) => all.findIndex((other) => shardOf(other) === shardOf(id)) === index,
      ) as [string, string, string];
      for (const id of [given, lost, kept]) monitor.upsert(every20s(id), BASE);
      monitor.tick(BASE);
      await monitor.handOver(shardOf(given), 50);
      leases.lose(shardOf(lost));
      expect(timers.armed).toHaveLength(1);
      await advanceTo(BASE + 20 * SECOND);
      expect(prober.calls.map((call) => call.serviceId)).toEqual([kept]);
    });

    it('skips a paused service and takes it back at its next slot when resumed', async () => {
      monitor.upsert(every20s('api'), BASE);
      const due = monitor.get('api')!.nextDueAt;
      monitor.tick(BASE);
      monitor.upsert(every20s('api', { paused: true }), BASE);
      expect(timers.armed).toEqual([]);
      await advanceTo(due + 5 * SECOND);
      expect(prober.calls).toHaveLength(0);
      monitor.upsert(every20s('api', { paused: false }), due + 5 * SECOND);
      expect(timers.armed).toEqual([due + 5 * SECOND]); // overdue: at once
      await advanceTo(due + 5 * SECOND);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.get('api')!.nextDueAt).toBe(due + 20 * SECOND);
    });

    it("catches up an adopted service at once, from the timer, then follows the previous owner's grid", async () => {
      const api = service('api', { intervalMs: 10 * SECOND });
      leases.fencing = true;
      leases.lose(shardOf('api'));
      await monitor.load([api], BASE);
      monitor.tick(BASE);
      const slot = BASE + offsetOf('api');
      await checks.append([storedCheck('api', slot - 10 * SECOND + 4), storedCheck('api', slot + 2)]);
      const now = BASE + 14_500; // the owner's slot + 10 s has passed
      await advanceTo(now);
      expect(await monitor.adopt(shardOf('api'), 7, true, now)).toBe('adopted');
      leases.owned.set(shardOf('api'), 7);
      expect(timers.armed).toEqual([now]);
      await advanceTo(now);
      expect(prober.calls).toHaveLength(1);
      expect(monitor.get('api')!.nextDueAt).toBe(slot + 20 * SECOND);
      expect(timers.armed).toEqual([slot + 20 * SECOND]);
    });

    it('starts a check whose slot came while the previous one still ran as soon as that one finishes', async () => {
      monitor.upsert(service('api'), BASE); // 1 s interval
      const due = monitor.get('api')!.nextDueAt;
      monitor.tick(BASE);
      prober.hold = true;
      await advanceTo(due);
      await advanceTo(due + SECOND + 300); // its next slot passes while the probe hangs
      expect(prober.calls).toHaveLength(1);
      prober.hold = false;
      prober.release();
      await settle();
      await advanceTo(due + SECOND + 300);
      expect(prober.calls).toHaveLength(2);
      expect(monitor.stats().slip.maxMs).toBe(300);
    });
  });
});
