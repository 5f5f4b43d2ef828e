import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { IncidentImpact, MaintenanceWindow } from '@app/contracts';
import {
  ChangeFeed,
  MaintenanceCache,
  MonitoringEvents,
  MonitorView,
  type ServiceStateChanged,
  type ShardAdopted,
} from '@app/monitoring';
import { INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import { humanDuration } from '../notify/render.js';
import type { IncidentClosure } from '../notify/notifier.js';
import { IncidentStore, OUTBOX_RETENTION_DAYS } from '../ports.js';
import { IncidentCache } from './incident-cache.js';
import { IncidentWriter, iso } from './incident-writer.js';
import { impactRank, newId, renderableIncident, type Incident, type OpenLock } from './incident.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

const DAY_MS = 86_400_000;
/** A day short of the outbox's retention: the opened alert's item is still there (queued at the opening or later). */
const OPENED_REPAIR_MS = (OUTBOX_RETENTION_DAYS - 1) * DAY_MS;

interface StoredAtBoot {
  incidents: Incident[];
  locks: OpenLock[];
  windows: MaintenanceWindow[];
}

/**
 * Automatic incidents follow the monitor: a service entering `down` (or `degraded` when configured) opens one,
 * recovery resolves it. "One open automatic incident per service" is a DynamoDB conditional write on a
 * per-service lock item, not process memory. Every transition is stored first, then its notifications are queued
 * with ids derived from the transition, so replays are no-ops. A reconcile pass (at boot and every few seconds)
 * repairs whatever a crash interrupted and catches maintenance windows that ended while a service was down.
 * With several replicas, each acts only for the services whose shard it works (`MonitorView.owns`), and repairs
 * what a crashed previous owner left when it adopts a shard; the lock and the outbox ids keep every transition to
 * one incident and one message per channel even if two replicas ever act on the same service at once.
 */
@Injectable()
export class IncidentReconciler implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Incidents');
  private readonly locks = new Map<string, OpenLock>();
  /** Per-service promise chain: events and reconcile passes for one service never interleave. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Names of services that stopped being monitored, by id: their incidents close under that name, not the id. */
  private readonly removedNames = new Map<string, string>();
  private subscriptions: Subscription[] = [];
  private ready = false;
  private timer: NodeJS.Timeout | null = null;
  private stored: Promise<StoredAtBoot> | null = null;

  constructor(
    private readonly store: IncidentStore,
    private readonly writer: IncidentWriter,
    private readonly outbox: OutboxDispatcher,
    private readonly monitor: MonitorView,
    private readonly events: MonitoringEvents,
    private readonly cache: IncidentCache,
    private readonly maintenance: MaintenanceCache,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
    private readonly feed: ChangeFeed,
  ) {
    feed.on('lock', ({ serviceId }) => this.serial(serviceId, () => this.refreshLock(serviceId)));
  }

  /**
   * Starts reading recent incidents, open locks and maintenance before any module boots: the monitoring module's
   * boot (the state Scan, then every service's recent checks in the background) would otherwise queue these three
   * small reads behind thousands of its own (250–850 ms of a 10,000-service boot, before status is served). What
   * changes after they read is followed from the constructor on (`feed.on('lock')`) and by every reconcile pass.
   */
  onModuleInit(): void {
    this.stored = this.readStored(Date.now());
    // Awaited at bootstrap; a failure is thrown there, not reported as unhandled meanwhile.
    this.stored.catch(() => undefined);
  }

  private async readStored(now: number): Promise<StoredAtBoot> {
    const since = new Date(now - this.options.historyDays * DAY_MS).toISOString();
    const [incidents, locks, windows] = await Promise.all([
      this.store.listIncidentsSince(since),
      this.store.listOpenLocks(),
      this.store.listMaintenance(new Date(now - 14 * DAY_MS).toISOString()),
    ]);
    return { incidents, locks, windows };
  }

  /** Takes what `onModuleInit` read, repairs what a crash left, then follows the monitor. */
  async onApplicationBootstrap(): Promise<void> {
    const now = Date.now();
    const { incidents, locks, windows } = await (this.stored ?? this.readStored(now));
    this.maintenance.set(windows);
    for (const stored of incidents) {
      const { incident, problems } = renderableIncident(stored);
      if (problems.length > 0)
        this.logger.error(
          `stored incident ${JSON.stringify(incident.id)} repaired for display: ${problems.join('; ')}`,
        );
      this.cache.put(incident);
    }
    for (const lock of locks) this.locks.set(lock.serviceId, lock);
    // Boot repair: finish what a crash interrupted (missing incident item, unqueued notifications). Shards adopted
    // later are repaired when they are adopted.
    for (const lock of locks)
      if (this.monitor.owns(lock.serviceId)) await this.serial(lock.serviceId, () => this.repair(lock, now));
    await this.reconcileAll(now);
    this.ready = true;
    this.subscriptions.push(
      this.events.stateChanged$.subscribe((event) => {
        void this.serial(event.serviceId, () => this.onStateChanged(event)).catch((error: unknown) =>
          this.logger.error(`handling ${event.serviceId} ${event.from}->${event.to} failed: ${String(error)}`),
        );
      }),
      this.events.serviceRemoved$.subscribe((event) => {
        // Remembered at once (not queued): whichever pass closes the incident next uses the name.
        this.removedNames.set(event.serviceId, event.serviceName);
        void this.serial(event.serviceId, () => this.reconcileService(event.serviceId, event.at)).catch(
          (error: unknown) =>
            this.logger.error(`closing the incident of removed ${event.serviceId} failed: ${String(error)}`),
        );
      }),
      this.events.adopted$.subscribe((event) => void this.onAdopted(event)),
    );
    this.outbox.start();
    this.timer = setInterval(() => void this.reconcileAll(Date.now()), 5000);
    this.timer.unref();
    this.logger.log(
      `${incidents.length} incidents loaded, ${locks.length} open; alert channels: ${this.outbox.enabledChannels.join(', ') || 'none'}`,
    );
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.outbox.stop();
  }

  /** The open lock of an automatic incident, if it is still open. */
  openLockOf(incidentId: string): OpenLock | undefined {
    return [...this.locks.values()].find((lock) => lock.incidentId === incidentId);
  }

  /** The periodic pass (every 5 s): every service of ours with a lock or a bad state is made what it should be. */
  async reconcileAll(now: number): Promise<void> {
    const ids = new Set<string>([...this.locks.keys()].filter((id) => this.monitor.owns(id)));
    for (const { service, state } of this.monitor.list()) {
      if ((state === 'down' || state === 'degraded') && this.monitor.owns(service.id)) ids.add(service.id);
    }
    for (const id of ids) {
      await this.serial(id, () => this.reconcileService(id, now)).catch((error: unknown) =>
        this.logger.warn(`reconcile of ${id} failed: ${String(error)}`),
      );
    }
    if (this.options.reminderEveryMs !== null) await this.remind(now, this.options.reminderEveryMs);
    this.cache.prune(new Date(now - this.options.historyDays * DAY_MS).toISOString());
  }

  private async onStateChanged(event: ServiceStateChanged): Promise<void> {
    await event.persisted;
    await this.reconcileService(event.serviceId, event.at);
  }

  /**
   * This replica now works these services: the previous owner may have crashed between storing a transition and
   * opening, resolving or notifying. Read their locks as stored, finish what was interrupted, reconcile.
   */
  private async onAdopted({ serviceIds }: ShardAdopted): Promise<void> {
    if (!this.ready) return; // the boot repair covers what is adopted before it
    const now = Date.now();
    for (const serviceId of serviceIds) {
      await this.serial(serviceId, async () => {
        await this.refreshLock(serviceId);
        const lock = this.locks.get(serviceId);
        if (lock) await this.repair(lock, now);
        await this.reconcileService(serviceId, now);
      }).catch((error: unknown) => this.logger.warn(`repair of adopted ${serviceId} failed: ${String(error)}`));
    }
  }

  /** Takes the service's lock as stored (another replica opened or resolved its incident), with its incident. */
  private async refreshLock(serviceId: string): Promise<void> {
    const lock = await this.store.getOpenLock(serviceId);
    if (!lock) {
      this.locks.delete(serviceId);
      return;
    }
    this.locks.set(serviceId, lock);
    if (!this.cache.get(lock.incidentId)) {
      const incident = await this.store.getIncident(lock.incidentId);
      if (incident) this.cache.put(incident);
    }
  }

  /** What the incident for one service should be right now, made so. Idempotent. */
  private async reconcileService(serviceId: string, now: number): Promise<void> {
    // Decide only on durable state, and only as the service's owner (another replica acts for its own services).
    if (!(await this.monitor.durable(serviceId))) return;
    const watched = this.monitor.find(serviceId);
    const service = watched?.service;
    const state = watched?.state ?? 'unknown';
    const impact: IncidentImpact | null =
      !service || service.paused
        ? null
        : state === 'down'
          ? 'major'
          : state === 'degraded' && service.degradedOpensIncident
            ? 'minor'
            : null;
    const lock = this.locks.get(serviceId);
    if (impact !== null && !lock) {
      // Maintenance suppresses opening (and so paging); an incident opened before the window stays open.
      if (!this.maintenance.isInMaintenance(serviceId, now)) await this.open(serviceId, impact, now);
      return;
    }
    if (!lock) return;
    const incident = this.cache.get(lock.incidentId);
    if (incident?.status === 'resolved') {
      // A crash left the lock behind a resolved incident: finish resolving; the next pass may open a new one.
      await this.resolve(lock, now, 'recovered');
      return;
    }
    // Escalate only (degraded → down): never undo an operator's impact or title edit, never downgrade on its own.
    if (impact !== null && incident && incident.kind === 'auto' && impactRank(impact) > impactRank(incident.impact)) {
      const name = service?.name ?? serviceId;
      const message = `Automated check: ${name} is now ${state}.`;
      const escalated = await this.writer.change(incident, (draft) => {
        if (impactRank(draft.impact) >= impactRank(impact)) return false; // another replica escalated it meanwhile
        draft.impact = impact;
        draft.title = `${name} is ${state}`;
        draft.updates.push({ at: iso(now), status: draft.status, message });
      });
      // On-call hears about the escalation once (idempotent key per impact).
      await this.writer.notify(escalated, 'update', `escalated-${impact}`, message, now);
      return;
    }
    // Resolve when the service is healthy again, paused or gone; an unknown state (e.g. just restarted) waits.
    if (impact === null && (!service || service.paused || state === 'up' || state === 'degraded')) {
      await this.resolve(lock, now, !service ? 'removed' : service.paused ? 'paused' : 'recovered');
    }
  }

  /** A service's display name, also after it was deleted. */
  private nameOf(serviceId: string): string {
    return this.monitor.find(serviceId)?.service.name ?? this.removedNames.get(serviceId) ?? serviceId;
  }

  private async open(serviceId: string, impact: IncidentImpact, now: number): Promise<void> {
    const lastError = this.monitor.find(serviceId)?.lastError ?? null;
    const lock: OpenLock = { serviceId, incidentId: newId('inc', now), openedAt: now };
    const existing = await this.store.acquireOpenLock(lock);
    // Taken, then released before we could read it (empty incident id): nothing to adopt; the next pass retries.
    if (existing?.incidentId === '') return;
    if (existing) {
      // Someone (an earlier run, another replica) already holds it: adopt and repair.
      this.locks.set(serviceId, existing);
      await this.repair(existing, now);
      return;
    }
    this.locks.set(serviceId, lock);
    await this.createFromLock(lock, impact, lastError, now);
    this.feed.publish({ kind: 'lock', serviceId });
  }

  private async createFromLock(
    lock: OpenLock,
    impact: IncidentImpact,
    lastError: string | null,
    now: number,
  ): Promise<Incident> {
    const name = this.monitor.find(lock.serviceId)?.service.name ?? lock.serviceId;
    const state = impact === 'minor' ? 'degraded' : 'down';
    const incident: Incident = {
      id: lock.incidentId,
      title: `${name} is ${state}`,
      status: 'investigating',
      impact,
      kind: 'auto',
      serviceIds: [lock.serviceId],
      startedAt: iso(lock.openedAt),
      resolvedAt: null,
      updates: [
        {
          at: iso(lock.openedAt),
          status: 'investigating',
          message: `Automated check: ${name} is ${state}${lastError ? ` (${lastError})` : ''}. We are looking into it.`,
        },
      ],
      lastError,
      version: 1,
    };
    if (!(await this.writer.create(incident))) {
      const stored = await this.store.getIncident(lock.incidentId);
      if (stored) {
        this.cache.put(stored);
        return stored;
      }
      this.cache.put(incident);
    }
    await this.writer.notify(incident, 'opened', 'opened', incident.updates[0]!.message, now);
    return incident;
  }

  private async resolve(lock: OpenLock, now: number, closure: IncidentClosure): Promise<void> {
    let incident = this.cache.get(lock.incidentId) ?? (await this.store.getIncident(lock.incidentId));
    const name = this.nameOf(lock.serviceId);
    if (incident && incident.status !== 'resolved') {
      const message =
        closure === 'recovered'
          ? `Automated check: ${name} has recovered after ${humanDuration(now - lock.openedAt)}.`
          : closure === 'removed'
            ? `${name} was removed from monitoring while this incident was open; closing it. It did not recover on its own.`
            : `Monitoring of ${name} was paused while this incident was open; closing it. It did not recover on its own.`;
      incident = await this.writer.change(incident, (draft) => {
        if (draft.status === 'resolved') return false; // another replica resolved it meanwhile
        draft.status = 'resolved';
        draft.resolvedAt = iso(now);
        draft.updates.push({ at: iso(now), status: 'resolved', message });
      });
    }
    if (incident)
      await this.writer.notify(incident, 'resolved', 'resolved', incident.updates.at(-1)?.message ?? 'Resolved.', now, {
        closure: closureOf(incident, closure),
        names: new Map([[lock.serviceId, name]]),
      });
    await this.store.releaseOpenLock(lock.serviceId, lock.incidentId);
    this.locks.delete(lock.serviceId);
    if (this.monitor.find(lock.serviceId) === undefined) this.removedNames.delete(lock.serviceId);
    this.feed.publish({ kind: 'lock', serviceId: lock.serviceId });
  }

  /** After a crash: make sure the locked incident exists and its notifications are queued. */
  private async repair(lock: OpenLock, now: number): Promise<void> {
    const incident = this.cache.get(lock.incidentId) ?? (await this.store.getIncident(lock.incidentId));
    if (!incident) {
      const state = this.monitor.find(lock.serviceId)?.state;
      await this.createFromLock(lock, state === 'degraded' ? 'minor' : 'major', null, lock.openedAt);
      return;
    }
    this.cache.put(incident);
    // Queued again only while the outbox still holds what was queued then: past its retention the item may have
    // expired, and this would page anew for an incident open for months (at every boot or adoption). A crash
    // that interrupted the first queuing is repaired by the next boot or adoption, well within it.
    if (now - lock.openedAt < OPENED_REPAIR_MS)
      await this.writer.notify(
        incident,
        'opened',
        'opened',
        incident.updates[0]?.message ?? incident.title,
        lock.openedAt,
      );
    if (incident.status === 'resolved') await this.resolve(lock, now, 'recovered');
  }

  private async remind(now: number, every: number): Promise<void> {
    for (const lock of this.locks.values()) {
      if (!this.monitor.owns(lock.serviceId)) continue;
      const incident = this.cache.get(lock.incidentId);
      const count = Math.floor((now - lock.openedAt) / every);
      if (!incident || incident.status === 'resolved' || count < 1) continue;
      await this.writer.notify(
        incident,
        'reminder',
        `reminder-${count}`,
        `Still open after ${humanDuration(now - lock.openedAt)}.`,
        now,
      );
    }
  }

  private serial(serviceId: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(serviceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.queues.set(serviceId, next);
    void next.finally(() => {
      if (this.queues.get(serviceId) === next) this.queues.delete(serviceId);
    });
    return next;
  }
}

/**
 * How a stored, resolved incident ended, read back from its last update (a repair after a crash re-queues the
 * notification without knowing why it resolved): the wording resolve() wrote says it.
 */
function closureOf(incident: Incident, closure: IncidentClosure): IncidentClosure {
  if (closure !== 'recovered') return closure;
  const last = incident.updates.at(-1)?.message ?? '';
  if (/ was removed from monitoring while this incident was open/.test(last)) return 'removed';
  if (/^Monitoring of .* was paused while this incident was open/.test(last)) return 'paused';
  return 'recovered';
}
