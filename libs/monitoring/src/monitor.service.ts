import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MonitoredService } from './catalog/service-definition.js';
import { evaluate, INITIAL_EVALUATION, type EvaluationState } from './evaluation/evaluate.js';
import { CheckWriter } from './history/check-writer.js';
import { dayOf, emptyRollup, foldCheck, lastDays, startOfDay, type DailyRollup } from './history/rollup.js';
import { MonitoringEvents } from './monitoring.events.js';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.options.js';
import { CheckStore, MaintenanceCalendar, ServiceStateStore, type StoredCheck } from './ports.js';
import { Prober, type ProbeResult } from './probe/prober.js';
import { advanceDue, firstDueAt } from './scheduling/schedule.js';
import { SlipStats } from './scheduling/slip-stats.js';

interface RollupSlot {
  rollup: DailyRollup;
  /** `through` of the stored copy, null when never stored. */
  persistedThrough: number | null;
  pending: number;
  lastFlushAt: number;
  saving: boolean;
}

/** Everything the process knows about one service; the status snapshot is built from these. */
export interface ServiceRuntime {
  service: MonitoredService;
  evaluation: EvaluationState;
  /** Newest first, at most `recentChecks`. */
  recent: StoredCheck[];
  rollups: Map<string, RollupSlot>;
  nextDueAt: number;
  running: boolean;
  queued: boolean;
  stateDirty: boolean;
  /** The state write in flight (writes of one service are chained, never concurrent). */
  stateWrite: Promise<void> | null;
}

/**
 * The runner: keeps the catalog's runtimes, dispatches due checks with bounded concurrency (never two checks of
 * one service at once), evaluates results, buffers writes, keeps rollups and emits state-change events.
 * The @Cron tick in MonitoringScheduler calls tick() once a second; nothing here blocks on the database.
 */
@Injectable()
export class MonitorService {
  private readonly logger = new Logger('Monitor');
  private readonly runtimes = new Map<string, ServiceRuntime>();
  private queue: ServiceRuntime[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private readonly inFlightDone = new Set<Promise<void>>();
  private stopped = false;
  readonly slip = new SlipStats();
  readonly writer: CheckWriter;
  /** Bumped on every change that the public snapshot shows. */
  version = 0;
  lastTickAt: number | null = null;

  constructor(
    private readonly prober: Prober,
    private readonly checks: CheckStore,
    private readonly stateStore: ServiceStateStore,
    private readonly maintenance: MaintenanceCalendar,
    private readonly events: MonitoringEvents,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
  ) {
    this.writer = new CheckWriter(checks);
  }

  /** Loads stored state, rollups and recent checks for the catalog, then starts scheduling it. */
  async load(services: MonitoredService[], now = Date.now()): Promise<void> {
    const pending = [...services];
    const worker = async () => {
      for (let service = pending.shift(); service; service = pending.shift()) await this.restore(service, now);
    };
    await Promise.all(Array.from({ length: this.options.bootConcurrency }, worker));
    this.version += 1;
  }

  private async restore(service: MonitoredService, now: number): Promise<void> {
    const days = lastDays(now, this.options.historyDays);
    const [{ state, rollups }, recent] = await Promise.all([
      this.stateStore.load(service.id, days[0] as string),
      this.checks.recent(service.id, this.options.recentChecks),
    ]);
    const runtime = this.createRuntime(service, state ?? INITIAL_EVALUATION, recent, now);
    for (const rollup of rollups) {
      runtime.rollups.set(rollup.day, {
        rollup,
        persistedThrough: rollup.through,
        pending: 0,
        lastFlushAt: now,
        saving: false,
      });
    }
    // Checks stored after the newest rollup write (a crash lost the in-memory part) are folded in again.
    const yesterday = startOfDay(now) - 86_400_000;
    const through = Math.max(yesterday - 1, ...rollups.map((rollup) => rollup.through));
    // Usually those checks are all among the recent ones already loaded; query only when they may not be.
    const oldestRecent = recent.at(-1);
    const covered =
      recent.length < this.options.recentChecks || (oldestRecent !== undefined && oldestRecent.at <= through);
    const missed = covered
      ? recent.filter((check) => check.at > through).reverse()
      : await this.checks.since(service.id, through);
    for (const check of missed) this.fold(runtime, check, now);
    this.runtimes.set(service.id, runtime);
  }

  private createRuntime(
    service: MonitoredService,
    evaluation: EvaluationState,
    recent: StoredCheck[],
    now: number,
  ): ServiceRuntime {
    return {
      service,
      evaluation,
      recent,
      rollups: new Map(),
      nextDueAt: firstDueAt(service.id, service.intervalMs, recent[0]?.at ?? null, now),
      running: false,
      queued: false,
      stateDirty: false,
      stateWrite: null,
    };
  }

  /** Adds or replaces a service at run time; its counters and history survive an edit. */
  upsert(service: MonitoredService, now = Date.now()): void {
    const existing = this.runtimes.get(service.id);
    if (!existing) {
      this.runtimes.set(service.id, this.createRuntime(service, INITIAL_EVALUATION, [], now));
    } else {
      const intervalChanged = existing.service.intervalMs !== service.intervalMs;
      existing.service = service;
      if (intervalChanged)
        existing.nextDueAt = firstDueAt(service.id, service.intervalMs, existing.recent[0]?.at ?? null, now);
    }
    this.version += 1;
  }

  remove(id: string): boolean {
    const removed = this.runtimes.delete(id);
    if (removed) this.version += 1;
    return removed;
  }

  get(id: string): ServiceRuntime | undefined {
    return this.runtimes.get(id);
  }

  all(): IterableIterator<ServiceRuntime> {
    return this.runtimes.values();
  }

  get size(): number {
    return this.runtimes.size;
  }

  /** One scheduler tick: queue due services, start checks up to the concurrency limit, flush state. */
  tick(now = Date.now()): void {
    if (this.stopped) return;
    this.lastTickAt = now;
    for (const runtime of this.runtimes.values()) {
      if (runtime.service.paused || runtime.running || runtime.queued || runtime.nextDueAt > now) continue;
      runtime.queued = true;
      this.queue.push(runtime);
    }
    this.pump(now);
    this.flushStates();
    void this.flushRollups(now);
  }

  private pump(now = Date.now()): void {
    while (this.inFlight < this.options.concurrency && this.queueHead < this.queue.length) {
      const runtime = this.queue[this.queueHead] as ServiceRuntime;
      this.queueHead += 1;
      runtime.queued = false;
      // Skip entries whose service was removed, paused or edited while they waited.
      if (this.runtimes.get(runtime.service.id) !== runtime || runtime.service.paused || runtime.running) continue;
      this.start(runtime, now);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private start(runtime: ServiceRuntime, now: number): void {
    this.slip.record(Math.max(0, now - runtime.nextDueAt));
    const { nextDueAt, skipped } = advanceDue(runtime.nextDueAt, runtime.service.intervalMs, now);
    runtime.nextDueAt = nextDueAt;
    this.slip.skippedSlots += skipped;
    runtime.running = true;
    this.inFlight += 1;
    const { service } = runtime;
    const done = this.prober
      .probe({
        url: service.url,
        method: service.method,
        timeoutMs: service.timeoutMs,
        expectedStatus: service.expectedStatus,
      })
      .then(
        (result) => this.complete(runtime, result),
        (error: unknown) => this.logger.error(`probe of ${JSON.stringify(service.id)} threw: ${String(error)}`),
      )
      .finally(() => {
        runtime.running = false;
        this.inFlight -= 1;
        this.inFlightDone.delete(done);
        if (!this.stopped) this.pump();
      });
    this.inFlightDone.add(done);
  }

  /** Applies one probe result: evaluate, remember, persist (buffered) and announce a state change. */
  complete(runtime: ServiceRuntime, result: ProbeResult): void {
    if (this.runtimes.get(runtime.service.id) !== runtime) return;
    const { service } = runtime;
    const previous = runtime.evaluation;
    const next = evaluate(previous, result, service, result.startedAt);
    const inMaintenance = this.maintenance.isInMaintenance(service.id, result.startedAt);
    const check: StoredCheck = {
      serviceId: service.id,
      at: result.startedAt,
      ok: result.ok,
      latencyMs: result.latencyMs,
      ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
      ...(result.error === undefined ? {} : { error: result.error }),
      state: next.state,
      maintenance: inMaintenance,
    };
    runtime.evaluation = next;
    runtime.recent.unshift(check);
    if (runtime.recent.length > this.options.recentChecks) runtime.recent.length = this.options.recentChecks;
    this.fold(runtime, check, result.startedAt);
    this.writer.enqueue(check);
    if (!sameEvaluation(previous, next)) runtime.stateDirty = true;
    this.version += 1;
    if (previous.state !== next.state) {
      // A transition is made durable at once, and listeners (incidents) act only after it is: a crash can never
      // leave an incident or alert ahead of the stored state (which would reopen or re-page after a restart).
      const persisted = this.saveStateNow(runtime);
      this.logger.log(`${service.id}: ${previous.state} -> ${next.state}${check.error ? ` (${check.error})` : ''}`);
      this.events.emitStateChanged({
        serviceId: service.id,
        serviceName: service.name,
        from: previous.state,
        to: next.state,
        at: result.startedAt,
        check,
        inMaintenance,
        persisted,
      });
    }
  }

  private fold(runtime: ServiceRuntime, check: StoredCheck, now: number): void {
    const day = dayOf(check.at);
    let slot = runtime.rollups.get(day);
    if (!slot) {
      slot = {
        rollup: emptyRollup(runtime.service.id, day),
        persistedThrough: null,
        pending: 0,
        lastFlushAt: now,
        saving: false,
      };
      runtime.rollups.set(day, slot);
      const oldest = lastDays(now, this.options.historyDays)[0] as string;
      for (const key of runtime.rollups.keys()) if (key < oldest) runtime.rollups.delete(key);
    }
    if (foldCheck(slot.rollup, check)) slot.pending += 1;
  }

  private flushStates(): void {
    for (const runtime of this.runtimes.values()) {
      if (runtime.stateDirty && runtime.stateWrite === null) void this.saveStateNow(runtime);
    }
  }

  /** Queues a write of the service's current evaluation after any write already in flight; never rejects. */
  private saveStateNow(runtime: ServiceRuntime): Promise<void> {
    runtime.stateDirty = false;
    const id = runtime.service.id;
    const write = (runtime.stateWrite ?? Promise.resolve())
      .then(() => this.stateStore.saveState(id, runtime.evaluation))
      .catch((error: unknown) => {
        runtime.stateDirty = true;
        this.logger.warn(`saving state of ${id} failed: ${String(error)}`);
      });
    runtime.stateWrite = write;
    void write.finally(() => {
      if (runtime.stateWrite === write) runtime.stateWrite = null;
    });
    return write;
  }

  /** Rollups are written every `rollupFlushChecks` checks or `rollupFlushMs`, and when their day is over. */
  private flushRollups(now: number, force = false): Promise<unknown> {
    const today = dayOf(now);
    const writes: Promise<unknown>[] = [];
    for (const runtime of this.runtimes.values()) {
      for (const slot of runtime.rollups.values()) {
        if (slot.pending === 0 || slot.saving) continue;
        const due =
          force ||
          slot.pending >= this.options.rollupFlushChecks ||
          now - slot.lastFlushAt >= this.options.rollupFlushMs ||
          slot.rollup.day !== today;
        if (due) writes.push(this.saveRollup(runtime, slot, now));
      }
    }
    return Promise.all(writes);
  }

  private async saveRollup(runtime: ServiceRuntime, slot: RollupSlot, now: number): Promise<void> {
    const copy: DailyRollup = {
      ...slot.rollup,
      hourTotal: [...slot.rollup.hourTotal],
      hourFailures: [...slot.rollup.hourFailures],
    };
    const pending = slot.pending;
    slot.saving = true;
    try {
      const stored = await this.stateStore.saveRollup(copy, slot.persistedThrough);
      if (!stored) {
        // Another writer moved it (an overlapping deploy): adopt theirs as the base and overwrite next time.
        this.logger.warn(`rollup ${runtime.service.id}/${copy.day} changed underneath; overwriting on next flush`);
        const fresh = await this.stateStore.load(runtime.service.id, copy.day);
        slot.persistedThrough = fresh.rollups.find((rollup) => rollup.day === copy.day)?.through ?? null;
        return;
      }
      slot.persistedThrough = copy.through;
      slot.pending -= pending;
      slot.lastFlushAt = now;
    } catch (error) {
      this.logger.warn(`saving rollup ${runtime.service.id}/${copy.day} failed: ${String(error)}`);
    } finally {
      slot.saving = false;
    }
  }

  /** Stops dispatching, waits (bounded) for running checks, then writes everything still buffered. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.stopped = true;
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all([...this.inFlightDone]), grace]);
    this.flushStates();
    await Promise.all([this.writer.flush(), this.flushRollups(Date.now(), true)]);
    this.writer.stop();
    const deadline = Date.now() + graceMs;
    while ([...this.runtimes.values()].some((runtime) => runtime.stateWrite !== null) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Writes buffered checks, dirty states and all pending rollups now (tests and benchmarks). */
  async flushAll(): Promise<void> {
    this.flushStates();
    await Promise.all([this.writer.flush(), this.flushRollups(Date.now(), true)]);
  }

  stats() {
    return {
      services: this.runtimes.size,
      inFlight: this.inFlight,
      queued: this.queue.length - this.queueHead,
      slip: this.slip.summary(),
      writer: { ...this.writer.stats },
    };
  }
}

function sameEvaluation(a: EvaluationState, b: EvaluationState): boolean {
  return (
    a.state === b.state &&
    a.since === b.since &&
    a.failStreak === b.failStreak &&
    a.badStreak === b.badStreak &&
    a.okStreak === b.okStreak &&
    a.fastStreak === b.fastStreak
  );
}
