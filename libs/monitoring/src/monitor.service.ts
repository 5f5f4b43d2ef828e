import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MonitoredService } from './catalog/service-definition.js';
import { evaluate, INITIAL_EVALUATION, type EvaluationState } from './evaluation/evaluate.js';
import { StateWriter } from './evaluation/state-writer.js';
import { CheckWriter } from './history/check-writer.js';
import { lastDays, startOfDay } from './history/rollup.js';
import { RollupWriter, type RollupSlot } from './history/rollup-writer.js';
import { MonitoringEvents } from './monitoring.events.js';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.options.js';
import { MonitorView, type ServiceView } from './monitor-view.js';
import { MaintenanceCache } from './maintenance/maintenance-cache.js';
import { CheckStore, StateAndRollupStore, type StoredCheck } from './ports.js';
import { Prober, type ProbeResult } from './probe/prober.js';
import { advanceDue, firstDueAt } from './scheduling/schedule.js';
import { SlipStats } from './scheduling/slip-stats.js';

/** Everything the process knows about one service; the status snapshot is built from these. */
export interface ServiceRuntime {
  service: MonitoredService;
  evaluation: EvaluationState;
  /** Newest first, at most `recentChecks`. */
  recent: StoredCheck[];
  /** Daily rollups by day, kept and written by the RollupWriter. */
  rollups: Map<string, RollupSlot>;
  nextDueAt: number;
  running: boolean;
  queued: boolean;
}

/**
 * The runner: keeps the catalog's runtimes, dispatches due checks with bounded concurrency (never two checks of
 * one service at once), evaluates results and emits state-change events. Persistence is delegated: checks to the
 * CheckWriter, evaluation states to the StateWriter, rollups to the RollupWriter. The @Cron tick in
 * MonitoringScheduler calls tick() once a second; nothing here blocks on the database.
 */
@Injectable()
export class MonitorService implements MonitorView {
  private readonly logger = new Logger('Monitor');
  private readonly runtimes = new Map<string, ServiceRuntime>();
  private queue: ServiceRuntime[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private readonly inFlightDone = new Set<Promise<void>>();
  private stopped = false;
  private readonly slip = new SlipStats();
  private readonly checkWriter: CheckWriter;
  private readonly stateWriter: StateWriter;
  private readonly rollupWriter: RollupWriter;
  /** Bumped on every change that the public snapshot shows. */
  version = 0;
  lastTickAt: number | null = null;

  constructor(
    private readonly prober: Prober,
    private readonly checks: CheckStore,
    private readonly stateStore: StateAndRollupStore,
    private readonly maintenance: MaintenanceCache,
    private readonly events: MonitoringEvents,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
  ) {
    this.checkWriter = new CheckWriter(checks);
    this.stateWriter = new StateWriter(stateStore, this.logger);
    this.rollupWriter = new RollupWriter(
      stateStore,
      { flushChecks: options.rollupFlushChecks, flushMs: options.rollupFlushMs, historyDays: options.historyDays },
      this.logger,
    );
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
    this.rollupWriter.restore(runtime, rollups, now);
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
    for (const check of missed) this.rollupWriter.fold(runtime, check, now);
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
    const runtime = this.runtimes.get(id);
    if (!runtime) return false;
    this.runtimes.delete(id);
    this.stateWriter.forget(runtime);
    this.version += 1;
    return true;
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

  find(id: string): ServiceView | undefined {
    const runtime = this.runtimes.get(id);
    return runtime && view(runtime);
  }

  list(): ServiceView[] {
    return [...this.runtimes.values()].map(view);
  }

  async durable(id: string): Promise<void> {
    const runtime = this.runtimes.get(id);
    if (runtime) await this.stateWriter.inFlight(runtime);
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
    this.stateWriter.flush();
    void this.rollupWriter.flush(this.runtimes.values(), now);
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
    const slipMs = Math.max(0, now - runtime.nextDueAt);
    this.slip.record(slipMs);
    const { nextDueAt, skipped } = advanceDue(runtime.nextDueAt, runtime.service.intervalMs, now);
    runtime.nextDueAt = nextDueAt;
    this.slip.skippedSlots += skipped;
    runtime.running = true;
    this.inFlight += 1;
    const { service } = runtime;
    const done = this.prober
      .probe({
        serviceId: service.id,
        url: service.url,
        timeoutMs: service.timeoutMs,
        intervalMs: service.intervalMs,
        check: service.check,
      })
      .then(
        (result) => this.complete(runtime, result, slipMs),
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
  private complete(runtime: ServiceRuntime, result: ProbeResult, slipMs: number): void {
    // A heartbeat service whose first ping is not due yet: nothing happened that could be judged or stored.
    if (this.runtimes.get(runtime.service.id) !== runtime || result.pending) return;
    const { service } = runtime;
    this.events.emitCheckCompleted({
      serviceId: service.id,
      ok: result.ok,
      latencyMs: result.latencyMs,
      error: result.error,
      slipMs,
      ...(result.certificateNotAfter === undefined ? {} : { certificateNotAfter: result.certificateNotAfter }),
    });
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
      ...(result.warning === undefined ? {} : { warning: result.warning }),
      ...(result.certificateNotAfter === undefined ? {} : { certificateNotAfter: result.certificateNotAfter }),
      state: next.state,
      maintenance: inMaintenance,
    };
    runtime.evaluation = next;
    runtime.recent.unshift(check);
    if (runtime.recent.length > this.options.recentChecks) runtime.recent.length = this.options.recentChecks;
    this.rollupWriter.fold(runtime, check, result.startedAt);
    this.checkWriter.enqueue(check);
    this.version += 1;
    if (previous.state === next.state) {
      if (!sameEvaluation(previous, next)) this.stateWriter.changed(runtime);
      return;
    }
    // A transition is made durable at once, and listeners (incidents) act only after it is: a crash can never
    // leave an incident or alert ahead of the stored state (which would reopen or re-page after a restart).
    const persisted = this.stateWriter.saveNow(runtime);
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

  /** Stops dispatching, waits (bounded) for running checks, then writes everything still buffered. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.stopped = true;
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all([...this.inFlightDone]), grace]);
    this.stateWriter.flush();
    await Promise.all([this.checkWriter.flush(), this.rollupWriter.flush(this.runtimes.values(), Date.now(), true)]);
    this.checkWriter.stop();
    await this.stateWriter.drain(graceMs);
  }

  stats() {
    return {
      services: this.runtimes.size,
      inFlight: this.inFlight,
      queued: this.queue.length - this.queueHead,
      slip: this.slip.summary(),
      writer: { ...this.checkWriter.stats },
    };
  }
}

function view(runtime: ServiceRuntime): ServiceView {
  return { service: runtime.service, state: runtime.evaluation.state, lastError: runtime.recent[0]?.error ?? null };
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
