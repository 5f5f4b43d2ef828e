import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { MonitoredService } from './catalog/service-definition.js';
import { ShardLeases, type ShardHost } from './cluster/shard-leases.js';
import { shardOf } from './cluster/shards.js';
import { evaluate, INITIAL_EVALUATION, type EvaluationState } from './evaluation/evaluate.js';
import { StateWriter } from './evaluation/state-writer.js';
import { CheckWriter } from './history/check-writer.js';
import { dayOf, lastDays, startOfDay } from './history/rollup.js';
import { FinishedDays } from './history/finished-days.js';
import { HourSlotLoader, withWholeDays } from './history/hour-slot-loader.js';
import { RecentChecks } from './history/recent-checks.js';
import { RollupWriter, type RollupSlot } from './history/rollup-writer.js';
import { MonitoringEvents } from './monitoring.events.js';
import { MONITORING_OPTIONS, type MonitoringOptions } from './monitoring.options.js';
import { MonitorView, type ServiceView } from './monitor-view.js';
import { MaintenanceCache } from './maintenance/maintenance-cache.js';
import { CheckStore, StateAndRollupStore, storedRollups, type StoredCheck, type StoredServiceState } from './ports.js';
import { Prober, type ProbeResult } from './probe/prober.js';
import { reasonClass } from './probe/reason-class.js';
import { advanceDue, firstDueAfterUnknownLast, firstDueAt, resumeGrid, takeoverDueAt } from './scheduling/schedule.js';
import { DueTimer } from './scheduling/due-timer.js';
import { SlipStats } from './scheduling/slip-stats.js';
import { SystemTimers, Timers } from './scheduling/timers.js';

/** Everything the process knows about one service; the status snapshot is built from these. */
export interface ServiceRuntime {
  service: MonitoredService;
  /** Its shard (the unit of ownership between replicas). */
  shard: number;
  /**
   * The fencing epoch under which this replica checks the service; null when another replica does (or nobody
   * yet): it is then shown from what the change feed brings, and nothing of it is written from here.
   */
  epoch: number | null;
  evaluation: EvaluationState;
  /** Newest first, at most `recentChecks` (packed: see RecentChecks). */
  recent: RecentChecks;
  /** Daily rollups by day, kept and written by the RollupWriter: today, yesterday, and days with checks to write. */
  rollups: Map<string, RollupSlot>;
  /** The other days of the history, packed (see ServiceRollups). */
  finished: FinishedDays;
  nextDueAt: number;
  /** After a takeover: the slot grid the previous owner kept, resumed after one catch-up check. */
  resumeAt: number | null;
  running: boolean;
  queued: boolean;
  /**
   * Set while the probe refuses the target by policy (its host name now resolves to a blocked address): a problem
   * with the service's configuration that admins see, never a failed check or an outage on the public page.
   */
  misconfigured: string | null;
  /** A clean handover of its shard is in progress: no new dispatch. */
  releasing: boolean;
  /**
   * Shown from its stored state and rollups, while its recent checks (and the catch-up of checks newer than its
   * rollups) still load in the background after boot: no rollup written until they have, and not dispatched
   * either unless `early`.
   */
  restoring: boolean;
  /** Checked while `restoring` (after a clean stop, see `open`); null otherwise. */
  early: EarlyChecks | null;
}

/**
 * The checks a service took while its restore was still reading (`open` after a clean stop), and which of them the
 * check store has accepted: put on top of what the restore read (recent checks, rollups) when it installs.
 */
interface EarlyChecks {
  /** The boot's `now`: every stored check at or after it is one of these (the storage is this runner's alone). */
  since: number;
  checks: StoredCheck[];
  stored: Set<StoredCheck>;
}

/**
 * The runner: keeps the catalog's runtimes, dispatches due checks of the services whose shard this replica works
 * (bounded concurrency, never two checks of one service at once), evaluates results and emits state-change
 * events. Services of other replicas' shards are kept current from their checks (`applyRemote`). Persistence is
 * delegated: checks to the CheckWriter, evaluation states to the StateWriter, rollups to the RollupWriter; every
 * write carries the shard's fencing epoch. A check starts at its due millisecond from one timer armed for the
 * earliest due time (DueTimer); the @Cron tick in MonitoringScheduler calls tick() once a second as its
 * supervisor (it queues whatever is due and re-schedules anything the timer does not hold). Nothing here blocks on
 * the database.
 */
@Injectable()
export class MonitorService implements MonitorView, ShardHost {
  private readonly logger = new Logger('Monitor');
  private readonly runtimes = new Map<string, ServiceRuntime>();
  /** Services being reloaded from storage: feed checks arriving meanwhile are applied after the reload. */
  private readonly reloading = new Map<string, StoredCheck[]>();
  private queue: ServiceRuntime[] = [];
  private queueHead = 0;
  private inFlight = 0;
  private readonly inFlightDone = new Map<ServiceRuntime, Promise<void>>();
  /**
   * Checks handed over early (a prober with a lead) by runtime: an edit, a pause or a removal cancels the one that
   * has not started, so it never checks a definition that is no longer the service's.
   */
  private readonly handedOver = new Map<ServiceRuntime, AbortController>();
  /** The background half of the boot (settles when every service is restored, or soon after a shutdown). */
  private restoring: Promise<void> = Promise.resolve();
  /** Claimed shards the boot is still fencing and restoring (see `open`), by shard. */
  private readonly bootAdoptions = new Map<number, Promise<'adopted' | 'fenced'>>();
  private stopped = false;
  /** Checks taken while their service's restore read (after a clean stop) and put on top of it at install. */
  private earlyChecks = 0;
  private readonly slip = new SlipStats();
  private readonly checkWriter: CheckWriter;
  private readonly stateWriter: StateWriter;
  private readonly rollupWriter: RollupWriter;
  /** Dispatchable services by due time; entries of runtimes no longer current (removed, edited, handed over) are skipped. */
  private readonly dueTimer: DueTimer<ServiceRuntime>;
  /**
   * The services whose rollups checks just made due (their tenth stored check), written with the streak changes at
   * the end of this turn of the event loop (`writeSoon`) instead of at the next tick: checks are spread over the second by their
   * offsets, so their writes are too; all of them at the tick held up the checks due in its first ~100 ms.
   */
  private soonRollups: Set<ServiceRuntime> | null = null;
  /** Bumped on every change that the public snapshot shows. */
  version = 0;
  /** Bumped whenever a service is added or removed (a delete + a create keeps the size, not this). */
  membership = 0;
  lastTickAt: number | null = null;

  constructor(
    private readonly prober: Prober,
    private readonly checks: CheckStore,
    private readonly stateStore: StateAndRollupStore,
    private readonly maintenance: MaintenanceCache,
    private readonly events: MonitoringEvents,
    @Inject(MONITORING_OPTIONS) private readonly options: MonitoringOptions,
    private readonly leases: ShardLeases,
    @Optional() private readonly timers: Timers = new SystemTimers(),
  ) {
    this.dueTimer = new DueTimer<ServiceRuntime>(
      timers,
      (runtime, at) =>
        this.runtimes.get(runtime.service.id) === runtime && dispatchable(runtime) && runtime.nextDueAt === at,
      (due, now) => this.dispatch(due, now),
      prober.leadMs,
    );
    const fenced = (target: { service: { id: string } }, epoch: number) =>
      this.leases.lost(shardOf(target.service.id), epoch);
    this.checkWriter = new CheckWriter(checks, undefined, {
      admit: (check, epoch) => this.leases.admit(shardOf(check.serviceId), epoch),
      written: (written) => this.stored(written),
    });
    this.stateWriter = new StateWriter(stateStore, this.logger, fenced);
    this.rollupWriter = new RollupWriter(
      stateStore,
      { flushChecks: options.rollupFlushChecks, flushMs: options.rollupFlushMs, historyDays: options.historyDays },
      this.logger,
      fenced,
    );
    leases.attach(this);
  }

  /**
   * Loads the catalog and resolves once every service is restored (state, rollups, recent checks) and scheduled.
   * The app boots with `open()` instead, which serves status before the recent checks are in.
   */
  async load(services: MonitoredService[], now = Date.now()): Promise<void> {
    const { restored } = await this.open(services, now);
    await restored;
  }

  /**
   * Boot in two steps. Resolves after ONE read of every service's stored state (`loadAll`: by key, each service's
   * copy of its finished days and the days after it, or one Scan of the state table): every service is shown with
   * its stored evaluation and rollups (the status page can be served). `restored` settles once each service has
   * also read its recent checks, folded the checks newer than its newest rollup and been installed, in the order
   * they are likely due (bootConcurrency at a time, retried while storage fails); with several replicas a service
   * is dispatched only then.
   * Claimed shards: with the storage to itself the replica adopts them at once (nobody else writes); otherwise
   * each of their services is fenced (the fence returns the items an older owner may have written since the read)
   * and restored before it is checked, and the shard adopted once all are (the
   * coordinator's own adoption of the same shard joins that work instead of repeating it).
   * `startedAt` (the process start): the first checks are spread over the first min(interval, 60 s) counted from
   * it, not from `now`, so each lands within one interval of the start (`firstDueAt`).
   * With the storage to itself (exclusive) services are checked from the start while their recent checks load, and
   * the checks taken meanwhile are put on top of what the restore reads (no rollup of a service is written before).
   * After a clean stop of the only runner on this storage (its record is read and deleted here, before any check)
   * each service's newest rollup `through` is its last check, and its rhythm is kept; after a crash it may be a few
   * checks older, so the first check comes at least half an interval after the process start
   * (`firstDueAfterUnknownLast`) unless the restore, finishing first, tells the rhythm of the last check.
   */
  async open(services: MonitoredService[], now = Date.now(), startedAt?: number): Promise<{ restored: Promise<void> }> {
    const days = lastDays(now, this.options.historyDays);
    const fencing = this.leases.fencing;
    // Without the hour slots: most of the bytes, and the page does not show them (HourSlotLoader reads the days
    // that do before each service is restored).
    const [stored, cleanStop] = await Promise.all([
      this.stateStore.loadAll(
        days[0] as string,
        false,
        services.map((service) => service.id),
      ),
      fencing ? null : this.stateStore.takeCleanStop(),
    ]);
    const claimed = this.leases.claimed();
    if (!fencing) for (const [shard, epoch] of claimed) this.leases.adopted(shard, epoch);
    for (const service of services) {
      const found = stored.get(service.id);
      // With the storage to itself the newest rollup's `through` gives the rhythm: the last check after a clean
      // stop, a little before it after a crash (rollups are written every `rollupFlushChecks` checks).
      const lastCheckAt = fencing ? null : newestThrough(found);
      const runtime = this.createRuntime(
        service,
        found?.state ?? INITIAL_EVALUATION,
        null,
        now,
        startedAt,
        lastCheckAt,
      );
      runtime.restoring = true;
      // Copies: what the feed folds into the shown rollups until the restore must not leak into what it reads.
      this.rollupWriter.restore(
        runtime,
        [...(found?.finishedRollups?.() ?? []), ...structuredClone(found?.rollups ?? [])],
        now,
        found?.finishedThrough,
      );
      runtime.epoch = fencing ? null : this.leases.epochOf(runtime.shard);
      if (runtime.epoch !== null) {
        // Without the record of a clean stop the last check of a service with anything stored is known only once
        // its recent checks are read: the first check keeps half an interval from anything the previous run did
        // (`firstDueAfterUnknownLast`). Nothing stored: never checked (a first start, a service added since).
        if (cleanStop === null && found !== undefined)
          runtime.nextDueAt = firstDueAfterUnknownLast(
            service.id,
            service.intervalMs,
            lastCheckAt,
            now,
            startedAt ?? now,
          );
        runtime.early = { since: now, checks: [], stored: new Set() };
        this.schedule(runtime);
      }
      this.runtimes.set(service.id, runtime);
    }
    if (cleanStop !== null)
      this.logger.log(`clean stop at ${new Date(cleanStop).toISOString()}: checking while recent checks load`);
    else if (!fencing)
      this.logger.log('no clean-stop record (a crash, or a first start): checking while recent checks load');
    this.membership += 1;
    this.version += 1;
    const restored = this.restoreAll(services, stored, fencing ? claimed : new Map<number, number>(), now, startedAt);
    this.restoring = restored.catch(() => undefined);
    // At boot, copies of the finished days wait for the restore and the first checks' minute (see `holdCopies`).
    if (startedAt !== undefined) this.rollupWriter.holdCopies(this.restoring.then(() => startedAt + FIRST_CHECKS_MS));
    return { restored };
  }

  /** Is `epoch` still this replica's claim (adopted or not) on the shard? */
  private holds(shard: number, epoch: number): boolean {
    return this.leases.epochOf(shard) === epoch || this.leases.claimed().get(shard) === epoch;
  }

  /**
   * Before a shard claimed at boot is adopted: the services the catalog added to it while the boot restored the
   * others (created through the API, learned from the feed) get no epoch until then, and nobody would check them.
   * Fenced and restored like the rest, retried while storage fails; a refused fence gives the shard up.
   */
  private async adoptBootNewcomers(
    shard: number,
    epoch: number,
    booted: MonitoredService[],
    refused: Set<number>,
    now: number,
  ): Promise<void> {
    if (refused.has(shard) || !this.holds(shard, epoch)) return;
    const listed = new Set(booted.filter((service) => shardOf(service.id) === shard).map((service) => service.id));
    await this.untilDone(`adopting the services added to shard ${shard}`, async () => {
      if ((await this.adoptServices(shard, epoch, true, now, listed)).fenced) refused.add(shard);
    });
  }

  /**
   * Runs `task` until it succeeds, backing off (0.1 s doubling to 5 s) while storage fails; the first failure is
   * logged. False when a shutdown ended it first.
   */
  private async untilDone(what: string, task: () => Promise<void>): Promise<boolean> {
    for (let attempt = 0; !this.stopped; attempt += 1) {
      try {
        await task();
        return true;
      } catch (error) {
        if (attempt === 0) this.logger.warn(`${what} failed, retrying: ${String(error)}`);
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
    return false;
  }

  /** The background half of `open()`: per service, recent checks + catch-up (+ the fence when claimed). */
  private restoreAll(
    services: MonitoredService[],
    stored: Map<string, StoredServiceState>,
    fence: Map<number, number>,
    now: number,
    startedAt: number | undefined,
  ): Promise<void> {
    // Likely due first: the newest rollup is a few checks behind the last check, so this errs early.
    const order = services
      .map((service) => ({
        service,
        due: firstDueAt(service.id, service.intervalMs, newestThrough(stored.get(service.id)), now, startedAt),
      }))
      .sort((a, b) => a.due - b.due)
      .map(({ service }) => service);
    const remaining = new Map<number, number>();
    const refused = new Set<number>();
    for (const service of order) {
      const shard = shardOf(service.id);
      if (fence.has(shard)) remaining.set(shard, (remaining.get(shard) ?? 0) + 1);
    }
    const settled = new Map<number, () => void>();
    const hourSlots = new HourSlotLoader(
      this.stateStore,
      order.map((service) => service.id),
      lastDays(now, 2),
    );
    for (const [shard, epoch] of fence) {
      const done = new Promise<'adopted' | 'fenced'>((resolve) => {
        settled.set(shard, () => {
          void this.adoptBootNewcomers(shard, epoch, order, refused, now).then(() => {
            if (refused.has(shard)) this.leases.lost(shard, epoch);
            else this.leases.adopted(shard, epoch);
            this.bootAdoptions.delete(shard);
            resolve(refused.has(shard) ? 'fenced' : 'adopted');
          });
        });
      });
      this.bootAdoptions.set(shard, done);
      if (!remaining.has(shard)) settled.get(shard)?.();
    }
    const restoreOne = async (service: MonitoredService) => {
      const shard = shardOf(service.id);
      const epoch = fence.get(shard);
      const scanned = stored.get(service.id);
      const preloaded = async () => (scanned ? hourSlots.complete(service.id, scanned) : NOTHING_STORED);
      if (epoch === undefined) {
        // Alone on the storage every shard is ours and nobody else writes: the scan is current. With several
        // replicas a shard not claimed at boot is only shown (an adoption later reads for itself).
        const mine = this.leases.fencing ? null : this.leases.epochOf(shard);
        await this.restore(service, now, mine, 'boot', await preloaded(), startedAt);
        return;
      }
      // The claim was lost meanwhile (another replica took the shard): shown only, never fenced or worked.
      if (!this.holds(shard, epoch)) {
        await this.restore(service, now, null, 'boot', await preloaded(), startedAt);
        return;
      }
      // An older owner may have written between the boot's read and the fence. What it writes in the course of
      // checking — the state and today's rollup, and yesterday's early in the day (`fencedDays`) — the fence
      // returns as it left them, and it can change none of them any more: with those in place of what the boot
      // read, nothing is read again. The fence stamps the days of the boot's `now`: once the day has turned, or
      // when refused, everything is read again.
      // Yesterday's hour slots, which the boot's read left out, come whole from the batched read of the recent
      // days, as an unfenced service's do; it may run before the fence (what the fence returns replaces it).
      const [fenced, read] = await Promise.all([
        this.stateStore.fence(service.id, fencedDays(now), epoch),
        preloaded(),
      ]);
      if (fenced === null) refused.add(shard);
      const current =
        fenced !== null && dayOf(this.timers.now()) === dayOf(now)
          ? withWholeDays({ ...read, state: fenced.state }, fenced.rollups)
          : undefined;
      await this.restore(service, now, epoch, 'boot', current, startedAt);
      if (!this.holds(shard, epoch)) this.drop(shard);
    };
    const started = Date.now();
    let restoredCount = 0;
    return this.forEach(order, async (service) => {
      if (await this.untilDone(`restoring ${JSON.stringify(service.id)}`, () => restoreOne(service)))
        restoredCount += 1;
      // Installed: what the boot read of it is no longer needed (a retry above still had it).
      stored.delete(service.id);
      this.version += 1;
      const shard = shardOf(service.id);
      const left = (remaining.get(shard) ?? 0) - 1;
      remaining.set(shard, left);
      if (left === 0) settled.get(shard)?.();
    }).then(() => {
      this.version += 1;
      const ms = Date.now() - started;
      // A shutdown during the restore ends it early: say so rather than report it complete.
      if (restoredCount < services.length)
        this.logger.log(
          `restoring recent checks stopped by shutdown: ${restoredCount} of ${services.length} services in ${ms} ms`,
        );
      else
        this.logger.log(
          `recent checks of ${services.length} services restored in ${ms} ms (in the background` +
            (this.earlyChecks > 0 ? `; ${this.earlyChecks} checks taken meanwhile put on top)` : ')'),
        );
    });
  }

  /**
   * Reads one service's stored state, rollups and recent checks and installs them (replacing what memory had).
   * At boot the first check follows the boot rule (rhythm kept, or spread); after a takeover, a missed slot is
   * caught up at once.
   */
  private async restore(
    service: MonitoredService,
    now: number,
    epoch: number | null,
    schedule: 'boot' | 'takeover',
    preloaded?: StoredServiceState,
    startedAt?: number,
  ): Promise<void> {
    // A check another replica stores while we read could miss both the read and (once we replace memory) the
    // feed: hold such checks back and apply them on top of what was read.
    if (epoch === null && !this.reloading.has(service.id)) this.reloading.set(service.id, []);
    try {
      await this.read(service, now, epoch, schedule, preloaded, startedAt);
    } finally {
      const held = this.reloading.get(service.id);
      this.reloading.delete(service.id);
      if (held && held.length > 0) this.applyRemote(held, now);
    }
  }

  /**
   * `preloaded`: the state and rollups boot's one pass read (only the recent checks are read here then).
   * `startedAt`: the process start, at boot (see `open`).
   */
  private async read(
    service: MonitoredService,
    now: number,
    epoch: number | null,
    schedule: 'boot' | 'takeover',
    preloaded?: StoredServiceState,
    startedAt?: number,
  ): Promise<void> {
    const days = lastDays(now, this.options.historyDays);
    const [stored, read] = await Promise.all([
      preloaded ?? this.stateStore.load(service.id, days[0] as string),
      this.checks.recent(service.id, this.options.recentChecks),
    ]);
    const { state, finishedThrough } = stored;
    const rollups = storedRollups(stored);
    // Checked while this read ran (after a clean stop): its own checks are put on top at install, not read here.
    const early = this.runtimes.get(service.id)?.early ?? null;
    const recent = early === null ? read : read.filter((check) => check.at < early.since);
    const runtime = this.createRuntime(
      service,
      state ?? INITIAL_EVALUATION,
      RecentChecks.of(service.id, this.options.recentChecks, recent),
      now,
      startedAt,
    );
    runtime.epoch = epoch;
    if (schedule === 'takeover') {
      const due = takeoverDueAt(service.id, service.intervalMs, recent[0]?.at ?? null, now);
      runtime.nextDueAt = due.nextDueAt;
      runtime.resumeAt = due.resumeAt;
    }
    this.rollupWriter.restore(runtime, rollups, now, finishedThrough);
    // Checks stored after the newest rollup write (a crash lost the in-memory part) are folded in again.
    const yesterday = startOfDay(now) - 86_400_000;
    const through = Math.max(yesterday - 1, ...rollups.map((rollup) => rollup.through));
    // Usually those checks are all among the recent ones already loaded; query only when they may not be.
    const oldestRecent = read.at(-1);
    const covered =
      read.length < this.options.recentChecks || (oldestRecent !== undefined && oldestRecent.at <= through);
    const missed = covered
      ? recent.filter((check) => check.at > through).reverse()
      : (await this.checks.since(service.id, through)).filter((check) => early === null || check.at < early.since);
    for (const check of missed) {
      this.rollupWriter.fold(runtime, check, now);
      this.rollupWriter.stored(runtime, check, now);
    }
    this.install(runtime);
  }

  /** Puts a restored runtime in place, updating the existing one in place (queues and writers hold references). */
  private install(fresh: ServiceRuntime): void {
    const existing = this.runtimes.get(fresh.service.id);
    // Removed while it was read (every restore starts from a runtime `open()` or the catalog put in place).
    if (!existing) return;
    // A read for display only never replaces a service this replica started working meanwhile (its adoption
    // fenced and read it again).
    if (fresh.epoch === null && existing.epoch !== null) return;
    // Checked while it was read: those checks go on top of what was read, and the evaluation and the rhythm they
    // moved on are kept (the evaluation read is the one the boot started from: nobody else writes this storage).
    const early = existing.early;
    if (early !== null && fresh.epoch !== null) {
      const now = this.timers.now();
      this.earlyChecks += early.checks.length;
      for (const check of early.checks) {
        fresh.recent.push(check);
        this.rollupWriter.fold(fresh, check, now);
        if (early.stored.has(check)) this.rollupWriter.stored(fresh, check, now);
      }
    } else existing.evaluation = fresh.evaluation;
    // The catalog may have changed the definition while the restore read storage: keep the newer definition.
    existing.recent = fresh.recent;
    existing.rollups = fresh.rollups;
    existing.finished = fresh.finished;
    existing.epoch = fresh.epoch;
    existing.releasing = false;
    existing.restoring = false;
    existing.early = null;
    // Not checked while it loaded (nor being checked): the rhythm of its last check, as read. After a crash the
    // newest rollup's `through` it was scheduled by may be a few checks older than that.
    const unchecked = early === null || early.checks.length === 0;
    if (!existing.running && !existing.queued && unchecked) {
      existing.nextDueAt = fresh.nextDueAt;
      existing.resumeAt = fresh.resumeAt;
    }
    this.schedule(existing);
  }

  private createRuntime(
    service: MonitoredService,
    evaluation: EvaluationState,
    stored: RecentChecks | null,
    now: number,
    startedAt?: number,
    lastCheckAt: number | null = null,
  ): ServiceRuntime {
    const recent = stored ?? new RecentChecks(service.id, this.options.recentChecks);
    return {
      service,
      shard: shardOf(service.id),
      epoch: null,
      evaluation,
      recent,
      rollups: new Map(),
      finished: new FinishedDays(service.id),
      nextDueAt: firstDueAt(service.id, service.intervalMs, recent.newest?.at ?? lastCheckAt, now, startedAt),
      resumeAt: null,
      running: false,
      queued: false,
      misconfigured: null,
      releasing: false,
      restoring: false,
      early: null,
    };
  }

  /** Adds or replaces a service at run time; its counters and history survive an edit. */
  upsert(service: MonitoredService, now = Date.now()): void {
    const existing = this.runtimes.get(service.id);
    if (!existing) {
      const runtime = this.createRuntime(service, INITIAL_EVALUATION, null, now);
      runtime.epoch = this.leases.epochOf(runtime.shard);
      this.runtimes.set(service.id, runtime);
      this.membership += 1;
      this.schedule(runtime);
    } else {
      const intervalChanged = existing.service.intervalMs !== service.intervalMs;
      const before = existing.service;
      existing.service = service;
      if (probesDiffer(before, service)) this.handedOver.get(existing)?.abort();
      if (intervalChanged) {
        existing.nextDueAt = firstDueAt(service.id, service.intervalMs, existing.recent.newest?.at ?? null, now);
        existing.resumeAt = null;
      }
      // A pause, a resume or a new interval changes what the timer should hold.
      this.schedule(existing);
      this.dueTimer.arm();
    }
    this.version += 1;
  }

  remove(id: string): boolean {
    const runtime = this.runtimes.get(id);
    if (!runtime) return false;
    this.runtimes.delete(id);
    this.handedOver.get(runtime)?.abort();
    this.membership += 1;
    this.dueTimer.arm();
    this.stateWriter.forget(runtime);
    this.version += 1;
    this.events.emitServiceRemoved({ serviceId: id, serviceName: runtime.service.name, at: Date.now() });
    return true;
  }

  get(id: string): ServiceRuntime | undefined {
    return this.runtimes.get(id);
  }

  all(): IterableIterator<ServiceRuntime> {
    return this.runtimes.values();
  }

  /** When the next check is due to start (the due timer's next firing), or null when none is waiting. */
  nextDueAt(): number | null {
    return this.dueTimer.armedAt;
  }

  get size(): number {
    return this.runtimes.size;
  }

  find(id: string): ServiceView | undefined {
    const runtime = this.runtimes.get(id);
    return runtime && view(runtime);
  }

  /** Settles when the recent checks the boot is loading in the background are in (at once when none are). */
  whenRestored(): Promise<void> {
    return this.restoring;
  }

  list(): ServiceView[] {
    return [...this.runtimes.values()].map(view);
  }

  owns(id: string): boolean {
    const runtime = this.runtimes.get(id);
    // A service no longer in the catalog still belongs to its shard (its incident must be closed by someone).
    return runtime ? runtime.epoch !== null : this.leases.epochOf(shardOf(id)) !== null;
  }

  async durable(id: string): Promise<boolean> {
    const runtime = this.runtimes.get(id);
    if (!runtime) return this.owns(id);
    await this.stateWriter.inFlight(runtime);
    return runtime.epoch !== null && this.stateWriter.current(runtime);
  }

  /**
   * One scheduler tick, the supervisor of the due timer: starts it, queues whatever is due (the timer fell behind
   * or missed it), hands the timer every service it does not hold at its due time, starts checks up to the
   * concurrency limit, and flushes whatever writes are still due (retries, rollups due by age or by a new day;
   * writes made due by a check start right after it, see `writeSoon`).
   */
  tick(now = Date.now()): void {
    if (this.stopped) return;
    this.lastTickAt = now;
    for (const runtime of this.runtimes.values()) {
      if (!dispatchable(runtime)) continue;
      if (runtime.nextDueAt > now + this.prober.leadMs) this.dueTimer.schedule(runtime, runtime.nextDueAt);
      else this.enqueue(runtime);
    }
    this.startDispatching();
    this.pump(now);
    void this.stateWriter.flush();
    void this.rollupWriter.flush(this.writable(), now);
  }

  /**
   * What the due timer hands over at `now` (the prober's lead before their due time): the services still due by
   * then are queued and started.
   */
  private dispatch(due: ServiceRuntime[], now: number): void {
    if (this.stopped) return;
    const by = now + this.prober.leadMs;
    for (const runtime of due) if (dispatchable(runtime) && runtime.nextDueAt <= by) this.enqueue(runtime);
    this.pump(now);
  }

  private enqueue(runtime: ServiceRuntime): void {
    if (runtime.running || runtime.queued) return;
    runtime.queued = true;
    this.queue.push(runtime);
  }

  /** Hands a runtime to the due timer at its due time (no-op if it holds it already, or if it is not ours to check). */
  private schedule(runtime: ServiceRuntime): void {
    if (dispatchable(runtime)) this.dueTimer.schedule(runtime, runtime.nextDueAt);
  }

  /** Checks the store accepted: counted into the rollups that get written, and told to the other replicas. */
  private stored(checks: StoredCheck[], now = Date.now()): void {
    for (const check of checks) {
      const runtime = this.runtimes.get(check.serviceId);
      if (runtime && runtime.epoch !== null) {
        if (runtime.restoring) runtime.early?.stored.add(check);
        this.rollupWriter.stored(runtime, check, now);
        this.writeSoon(runtime);
      }
    }
    this.events.emitChecksStored(checks);
  }

  /**
   * Starts the streak changes' writes, and the rollup writes of `rollupsOf`, at the end of this turn (coalesced, see
   * `soonRollups`); the tick's flushes stay the backstop.
   */
  private writeSoon(rollupsOf?: ServiceRuntime): void {
    let rollups = this.soonRollups;
    if (rollups === null) {
      const due = new Set<ServiceRuntime>();
      rollups = this.soonRollups = due;
      setImmediate(() => {
        this.soonRollups = null;
        if (this.stopped) return;
        void this.stateWriter.flush();
        void this.rollupWriter.flush(
          [...due].filter((runtime) => this.isWritable(runtime)),
          Date.now(),
        );
      });
    }
    if (rollupsOf) rollups.add(rollupsOf);
  }

  /** Owned services whose writes the lease admits now (not while it cannot be confirmed). */
  private *writable(): Iterable<ServiceRuntime> {
    for (const runtime of this.runtimes.values()) if (this.isWritable(runtime)) yield runtime;
  }

  /** Owned, current (not removed or replaced since), restored, and admitted by the lease now. */
  private isWritable(runtime: ServiceRuntime): boolean {
    return (
      runtime.epoch !== null &&
      this.runtimes.get(runtime.service.id) === runtime &&
      !runtime.restoring &&
      this.leases.admit(runtime.shard, runtime.epoch) === 'write'
    );
  }

  private pump(now = Date.now()): void {
    while (this.inFlight < this.options.concurrency && this.queueHead < this.queue.length) {
      const runtime = this.queue[this.queueHead] as ServiceRuntime;
      this.queueHead += 1;
      runtime.queued = false;
      // Skip entries whose service was removed, paused, edited or handed over while they waited.
      if (this.runtimes.get(runtime.service.id) !== runtime || !dispatchable(runtime) || runtime.running) continue;
      this.start(runtime, now);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /**
   * Hands one check to the prober. With a lead (ThreadedProber) it is handed over before its due time and starts
   * at it: the slip is then measured from when the prober really started it, not from the hand-over.
   */
  private start(runtime: ServiceRuntime, now: number): void {
    if (this.tooSoon(runtime, now)) return;
    const dueAt = runtime.nextDueAt;
    const handoverSlipMs = Math.max(0, now - dueAt);
    const early = this.prober.leadMs > 0;
    if (!early) this.slip.record(handoverSlipMs);
    // When the check starts: its due time, or now when handed over late.
    const startAt = Math.max(now, dueAt);
    // After a takeover the catch-up check is followed by the previous owner's slot grid.
    const { nextDueAt, skipped } =
      runtime.resumeAt === null
        ? advanceDue(dueAt, runtime.service.intervalMs, startAt)
        : resumeGrid(runtime.resumeAt, runtime.service.intervalMs, startAt);
    runtime.nextDueAt = nextDueAt;
    runtime.resumeAt = null;
    this.slip.skippedSlots += skipped;
    runtime.running = true;
    this.schedule(runtime);
    this.inFlight += 1;
    const { service } = runtime;
    const epoch = runtime.epoch as number;
    const cancel = early ? new AbortController() : null;
    if (cancel) this.handedOver.set(runtime, cancel);
    const done = this.prober
      .probe(
        {
          serviceId: service.id,
          url: service.url,
          timeoutMs: service.timeoutMs,
          intervalMs: service.intervalMs,
          check: service.check,
        },
        startAt,
        cancel?.signal,
      )
      .then(
        (result) => {
          if (result.pending && cancel?.signal.aborted && this.runtimes.get(service.id) === runtime) {
            // Cancelled by an edit before it started: its slot is taken again, with the definition as it is now.
            if (runtime.nextDueAt === nextDueAt) runtime.nextDueAt = dueAt;
            return;
          }
          let slipMs = handoverSlipMs;
          if (early && !result.pending) {
            slipMs = Math.max(0, result.startedAt - dueAt);
            this.slip.record(slipMs);
          }
          this.complete(runtime, result, epoch, slipMs);
        },
        (error: unknown) => this.logger.error(`probe of ${JSON.stringify(service.id)} threw: ${String(error)}`),
      )
      .finally(() => {
        runtime.running = false;
        this.inFlight -= 1;
        this.inFlightDone.delete(runtime);
        if (cancel) this.handedOver.delete(runtime);
        if (this.stopped) return;
        // Its next slot's hand-over came while it ran (the timer skipped it then): handed over at once.
        if (runtime.nextDueAt <= this.timers.now() + this.prober.leadMs) this.schedule(runtime);
        this.pump(this.timers.now());
      });
    this.inFlightDone.set(runtime, done);
  }

  /**
   * No check starts within half an interval of the last one known (the pair would double-count the target). The
   * slots keep that distance as planned, but a probe may start later than planned (a busy probe thread, the
   * catch-up after a takeover) and another replica's last check may arrive late: such a slot is skipped, and the
   * service moves on its grid to the first slot far enough from the last check. True when it was skipped.
   */
  private tooSoon(runtime: ServiceRuntime, now: number): boolean {
    const last = runtime.recent.newest?.at;
    const { intervalMs } = runtime.service;
    if (last === undefined || Math.max(now, runtime.nextDueAt) - last >= intervalMs / 2) return false;
    let skipped = 0;
    while (runtime.nextDueAt - last < intervalMs / 2) {
      runtime.nextDueAt += intervalMs;
      skipped += 1;
    }
    runtime.resumeAt = null;
    this.slip.skippedSlots += skipped;
    this.schedule(runtime);
    return true;
  }

  /** Applies one probe result: evaluate, remember, persist (buffered) and announce a state change. */
  private complete(runtime: ServiceRuntime, result: ProbeResult, epoch: number, slipMs: number): void {
    // Removed meanwhile, or its shard went to another replica (which checks it now): the result is not ours.
    if (this.runtimes.get(runtime.service.id) !== runtime || runtime.epoch !== epoch) return;
    // A heartbeat service whose first ping is not due yet: nothing happened that could be judged or stored.
    if (result.pending) return;
    const { service } = runtime;
    this.events.emitCheckCompleted({
      serviceId: service.id,
      ok: result.ok,
      latencyMs: result.latencyMs,
      error: result.error,
      slipMs,
      ...(result.certificateNotAfter === undefined ? {} : { certificateNotAfter: result.certificateNotAfter }),
    });
    if (reasonClass(result.error) === 'blocked') {
      // The operator's configuration is at fault, not the service: no check is stored or counted, no state changes.
      if (runtime.misconfigured !== result.error) {
        this.logger.warn(
          `${service.id}: misconfigured, ${result.error ?? 'blocked'} (allow it with TARGET_ALLOW_CIDRS or change the URL)`,
        );
        runtime.misconfigured = result.error ?? 'blocked target';
        this.version += 1;
      }
      return;
    }
    if (runtime.misconfigured !== null) {
      runtime.misconfigured = null;
      this.version += 1;
    }
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
    runtime.recent.push(check);
    if (runtime.restoring) runtime.early?.checks.push(check);
    this.rollupWriter.fold(runtime, check, result.startedAt);
    this.checkWriter.enqueue(check, epoch);
    this.version += 1;
    if (previous.state === next.state) {
      if (!sameEvaluation(previous, next)) {
        this.stateWriter.changed(runtime);
        this.writeSoon();
      }
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

  /**
   * Checks another replica took (from the change feed): shown here as if taken here, written nowhere. Checks of
   * services this replica works, unknown services and anything not newer than what is shown are ignored.
   */
  applyRemote(checks: StoredCheck[], now = Date.now()): void {
    let changed = false;
    for (const check of checks) {
      const held = this.reloading.get(check.serviceId);
      if (held) {
        held.push(check);
        continue;
      }
      const runtime = this.runtimes.get(check.serviceId);
      if (!runtime || runtime.epoch !== null) continue;
      const newest = runtime.recent.newest;
      if (newest !== undefined && check.at <= newest.at) continue;
      const state = check.state === 'maintenance' ? runtime.evaluation.state : check.state;
      if (state !== runtime.evaluation.state) runtime.evaluation = { ...runtime.evaluation, state, since: check.at };
      runtime.recent.push(check);
      this.rollupWriter.fold(runtime, check, now);
      changed = true;
    }
    if (changed) this.version += 1;
  }

  // ---- ShardHost: what the coordinator asks when ownership changes --------------------------------------------

  async adopt(shard: number, epoch: number, fence: boolean, now = Date.now()): Promise<'adopted' | 'fenced'> {
    // Claimed at join and still being fenced and restored by the boot: the same work, not a second round of it.
    const booting = this.bootAdoptions.get(shard);
    if (booting) return booting;
    const { services, fenced } = await this.adoptServices(shard, epoch, fence, now, new Set());
    if (fenced) {
      this.drop(shard);
      return 'fenced';
    }
    this.version += 1;
    this.events.emitAdopted({ shard, serviceIds: services.map((service) => service.id) });
    return 'adopted';
  }

  /**
   * Fences and restores (or, without fencing, just works) the shard's services that are not in `listed`, pass after
   * pass: a service the catalog adds to the shard meanwhile gets no epoch (the shard is not adopted yet) and would
   * stay unchecked by everyone, so each pass takes the services that appeared during the one before. Stops at the
   * first fence refused (a newer owner).
   */
  private async adoptServices(
    shard: number,
    epoch: number,
    fence: boolean,
    now: number,
    listed: Set<string>,
  ): Promise<{ services: MonitoredService[]; fenced: boolean }> {
    const services: MonitoredService[] = [];
    let fenced = false;
    const unlisted = () => this.servicesOf(shard).filter((service) => !listed.has(service.id));
    for (let batch = unlisted(); batch.length > 0 && !fenced; batch = unlisted()) {
      services.push(...batch);
      await this.forEach(batch, async (service) => {
        if (fenced) return;
        if (fence && !(await this.stateStore.fence(service.id, fencedDays(now), epoch))) {
          fenced = true;
          return;
        }
        if (fence) await this.restore(service, now, epoch, 'takeover');
        else {
          const runtime = this.runtimes.get(service.id);
          if (runtime) {
            runtime.epoch = epoch;
            this.schedule(runtime);
          }
        }
      });
      // Listed once done: a pass that failed midway (storage) is repeated whole by the caller's retry.
      for (const service of batch) listed.add(service.id);
    }
    return { services, fenced };
  }

  drop(shard: number): void {
    let dropped = false;
    for (const runtime of this.runtimes.values()) {
      if (runtime.shard !== shard || runtime.epoch === null) continue;
      runtime.epoch = null;
      runtime.releasing = false;
      this.stateWriter.forget(runtime);
      dropped = true;
    }
    if (dropped) this.dueTimer.arm();
    // What memory shows may include checks that were never stored (held, then superseded): from now on the
    // stored history plus the new owner's checks (change feed) are what every replica shows.
    if (dropped && !this.stopped)
      void this.resync(shard).catch((error: unknown) =>
        this.logger.warn(`reloading shard ${shard} after losing it failed: ${String(error)}`),
      );
  }

  async handOver(shard: number, graceMs = 15_000): Promise<void> {
    const runtimes = [...this.runtimes.values()].filter((runtime) => runtime.shard === shard && runtime.epoch !== null);
    for (const runtime of runtimes) runtime.releasing = true;
    this.dueTimer.arm();
    const running = runtimes.map((runtime) => this.inFlightDone.get(runtime)).filter((done) => done !== undefined);
    await Promise.race([Promise.all(running), sleep(graceMs)]);
    const ids = new Set(runtimes.map((runtime) => runtime.service.id));
    await this.stateWriter.drain(graceMs, (target) => ids.has(target.service.id));
    await this.checkWriter.flush();
    await this.rollupWriter.flush(runtimes, Date.now(), true);
  }

  /** Waits for the check appends in flight (what is admitted from now on is decided by the lease then). */
  settle(): Promise<void> {
    return this.checkWriter.settled();
  }

  async resync(shard: number, now = Date.now()): Promise<void> {
    await this.forEach(this.servicesOf(shard), async (service) => {
      if (this.runtimes.get(service.id)?.epoch === null) await this.restore(service, now, null, 'boot');
    });
    this.version += 1;
  }

  /** Reloads every service this replica does not work (after it could not read the change feed for too long). */
  async resyncAll(now = Date.now()): Promise<void> {
    const services = [...this.runtimes.values()].filter((runtime) => runtime.epoch === null).map((r) => r.service);
    await this.forEach(services, (service) => this.restore(service, now, null, 'boot'));
    this.version += 1;
  }

  private servicesOf(shard: number): MonitoredService[] {
    return [...this.runtimes.values()].filter((runtime) => runtime.shard === shard).map((runtime) => runtime.service);
  }

  private async forEach(services: MonitoredService[], task: (service: MonitoredService) => Promise<void>) {
    let next = 0;
    const worker = async () => {
      for (let service = services[next++]; service; service = services[next++]) await task(service);
    };
    await Promise.all(Array.from({ length: this.options.bootConcurrency }, worker));
  }

  /**
   * Arms the due timer: checks start at their due time from now on (the scheduler calls it once it is ready, so a
   * first check due before the first tick is not late; the tick starts it too).
   */
  startDispatching(): void {
    if (!this.stopped) this.dueTimer.start();
  }

  /**
   * Starts no check from now on (the due timer is cancelled; checks handed over early that have not started are
   * cancelled and store nothing); running checks finish.
   */
  stopDispatching(): void {
    this.stopped = true;
    this.dueTimer.stop();
    this.prober.cancelWaiting();
  }

  /** Stops dispatching, waits (bounded) for running checks, then writes everything still buffered. */
  async shutdown(graceMs = 5000): Promise<void> {
    this.stopDispatching();
    // Reads of the boot still in flight finish before storage closes (the embedded one fails them loudly).
    await Promise.race([Promise.all([this.restoring, ...this.inFlightDone.values()]), sleep(graceMs)]);
    void this.stateWriter.flush();
    // Checks first: a rollup write counts only checks already stored.
    await this.checkWriter.flush();
    await this.rollupWriter.flush(this.writable(), Date.now(), true);
    this.checkWriter.stop();
    await this.stateWriter.drain(graceMs);
    if (!this.leases.fencing && this.flushedThroughLastChecks()) {
      await this.stateStore
        .markCleanStop(Date.now())
        .catch((error: unknown) => this.logger.warn(`recording the clean stop failed: ${String(error)}`));
    }
  }

  /**
   * Every service restored, every check stored and every rollup written through its newest stored check: what a
   * clean-stop record promises the next boot (`open`).
   */
  private flushedThroughLastChecks(): boolean {
    if (this.checkWriter.stats.buffered > 0) return false;
    for (const runtime of this.runtimes.values()) {
      if (runtime.restoring) return false;
      for (const slot of runtime.rollups.values()) if (slot.pending > 0 || slot.saving) return false;
    }
    return true;
  }

  stats() {
    let owned = 0;
    let restoring = 0;
    for (const runtime of this.runtimes.values()) {
      if (runtime.epoch !== null) owned += 1;
      if (runtime.restoring) restoring += 1;
    }
    return {
      services: this.runtimes.size,
      owned,
      restoring,
      inFlight: this.inFlight,
      queued: this.queue.length - this.queueHead,
      slip: this.slip.summary(),
      writer: { ...this.checkWriter.stats },
    };
  }
}

/**
 * For how long into a day a new owner's fence stamps yesterday's rollup as well as today's: an owner writes a day's
 * rollup at its first flush after the day ends, and a check started before midnight is folded into that day when
 * it ends, so yesterday still changes in the first minutes of a day (longer only while storage refuses writes);
 * after that only a check days late changes it, as it may any older day.
 */
export const YESTERDAY_FENCED_MS = 15 * 60_000;

/** The days whose rollups a fence at `now` stamps (and returns): today, and yesterday early in the day. */
export function fencedDays(now: number): string[] {
  return now - startOfDay(now) < YESTERDAY_FENCED_MS ? lastDays(now, 2) : [dayOf(now)];
}

/**
 * A boot's first checks are spread over the first minute from the process start (`firstDueAt`; a service checked
 * less often than that keeps its rhythm): the copies of the finished days wait until it is over.
 */
export const FIRST_CHECKS_MS = 60_000;

const NOTHING_STORED: StoredServiceState = Object.freeze({ state: null, rollups: [] });

/** Whether a check handed over for `before` would not be the check of `after` (target, deadline, kind, pause). */
function probesDiffer(before: MonitoredService, after: MonitoredService): boolean {
  return (
    after.paused ||
    before.url !== after.url ||
    before.timeoutMs !== after.timeoutMs ||
    JSON.stringify(before.check) !== JSON.stringify(after.check)
  );
}

function dispatchable(runtime: ServiceRuntime): boolean {
  return (
    runtime.epoch !== null &&
    !runtime.releasing &&
    (!runtime.restoring || runtime.early !== null) &&
    !runtime.service.paused
  );
}

/** The newest `through` of a service's stored rollups (its last stored check, after a clean stop); null if none. */
function newestThrough(stored: StoredServiceState | undefined): number | null {
  let newest = 0;
  // The copy's days are older than the days read after it: decoded only for a service with none of those.
  const rollups = stored === undefined ? [] : stored.rollups.length > 0 ? stored.rollups : storedRollups(stored);
  for (const rollup of rollups) newest = Math.max(newest, rollup.through);
  return newest > 0 ? newest : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function view(runtime: ServiceRuntime): ServiceView {
  return {
    service: runtime.service,
    // A misconfigured service has no trustworthy state: nothing opens (or escalates) an incident for it.
    state: runtime.misconfigured === null ? runtime.evaluation.state : 'unknown',
    lastError: runtime.recent.newest?.error ?? null,
    misconfigured: runtime.misconfigured,
  };
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
