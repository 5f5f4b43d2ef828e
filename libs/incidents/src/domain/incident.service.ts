import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { IncidentImpact, IncidentStatus } from '@app/contracts';
import { AuditLog, ConflictError, InvalidInputError, NotFoundError, parseDto, recordChange } from '@app/common';
import { MaintenanceCache, MonitoringEvents, MonitorView, type ServiceStateChanged } from '@app/monitoring';
import { INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import type { IncidentNotification, NotificationTransition } from '../notify/notifier.js';
import { humanDuration } from '../notify/render.js';
import { IncidentStore } from '../ports.js';
import { CreateIncidentDto, EditIncidentDto, IncidentUpdateDto } from './incident.dto.js';
import { IncidentCache } from './incident-cache.js';
import { canMoveTo, impactRank, newId, type Incident, type OpenLock } from './incident.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

const DAY_MS = 86_400_000;

/**
 * The incident lifecycle. Automatic incidents follow the monitor: a service entering `down` (or `degraded` when
 * configured) opens one, recovery resolves it. "One open automatic incident per service" is a DynamoDB
 * conditional write on a per-service lock item, not process memory. Every transition is stored first, then its
 * notifications are queued in the outbox with ids derived from the transition, so replays are no-ops. A
 * reconcile pass (at boot and every few seconds) repairs whatever a crash interrupted and catches windows that
 * ended while a service was down.
 */
@Injectable()
export class IncidentService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Incidents');
  private readonly locks = new Map<string, OpenLock>();
  /** Per-service promise chain: events and reconcile passes for one service never interleave. */
  private readonly queues = new Map<string, Promise<void>>();
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: IncidentStore,
    private readonly outbox: OutboxDispatcher,
    private readonly monitor: MonitorView,
    private readonly events: MonitoringEvents,
    private readonly cache: IncidentCache,
    private readonly maintenance: MaintenanceCache,
    private readonly audit: AuditLog,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = Date.now();
    const since = new Date(now - this.options.historyDays * DAY_MS).toISOString();
    const [incidents, locks, windows] = await Promise.all([
      this.store.listIncidentsSince(since),
      this.store.listOpenLocks(),
      this.store.listMaintenance(new Date(now - 14 * DAY_MS).toISOString()),
    ]);
    this.maintenance.set(windows);
    for (const incident of incidents) this.cache.put(incident);
    for (const lock of locks) this.locks.set(lock.serviceId, lock);
    // Boot repair: finish what a crash interrupted (missing incident item, unqueued notifications).
    for (const lock of locks) await this.serial(lock.serviceId, () => this.repair(lock, now));
    await this.reconcileAll(now);
    this.subscription = this.events.stateChanged$.subscribe((event) => {
      void this.serial(event.serviceId, () => this.onStateChanged(event)).catch((error: unknown) =>
        this.logger.error(`handling ${event.serviceId} ${event.from}->${event.to} failed: ${String(error)}`),
      );
    });
    this.outbox.start();
    this.timer = setInterval(() => void this.reconcileAll(Date.now()), 5000);
    this.timer.unref();
    this.logger.log(
      `${incidents.length} incidents loaded, ${locks.length} open; alert channels: ${this.outbox.enabledChannels.join(', ') || 'none'}`,
    );
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.outbox.stop();
  }

  // ---- automatic incidents -------------------------------------------------------------------------------

  private async onStateChanged(event: ServiceStateChanged): Promise<void> {
    await event.persisted;
    await this.reconcileService(event.serviceId, event.at);
  }

  /** What the incident for one service should be right now, made so. Idempotent. */
  private async reconcileService(serviceId: string, now: number): Promise<void> {
    await this.monitor.durable(serviceId); // decide only on durable state
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
      await this.resolveAuto(lock, now, 'recovered');
      return;
    }
    // Escalate only (degraded → down): never undo an operator's impact or title edit, never downgrade on its own.
    if (impact !== null && incident && incident.kind === 'auto' && impactRank(impact) > impactRank(incident.impact)) {
      const name = service?.name ?? serviceId;
      const message = `Automated check: ${name} is now ${state}.`;
      const escalated = await this.change(incident, (draft) => {
        if (impactRank(draft.impact) >= impactRank(impact)) return false; // another replica escalated it meanwhile
        draft.impact = impact;
        draft.title = `${name} is ${state}`;
        draft.updates.push({ at: iso(now), status: draft.status, message });
      });
      // On-call hears about the escalation once (idempotent key per impact).
      await this.notify(escalated, 'update', `escalated-${impact}`, message, now);
      return;
    }
    // Resolve when the service is healthy again, paused or gone; an unknown state (e.g. just restarted) waits.
    if (impact === null && (!service || service.paused || state === 'up' || state === 'degraded')) {
      await this.resolveAuto(lock, now, !service ? 'removed from monitoring' : service.paused ? 'paused' : 'recovered');
    }
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
  }

  private async createFromLock(
    lock: OpenLock,
    impact: IncidentImpact,
    lastError: string | null,
    now: number,
  ): Promise<Incident> {
    const service = this.monitor.find(lock.serviceId)?.service;
    const name = service?.name ?? lock.serviceId;
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
    if (!(await this.store.createIncident(incident))) {
      const stored = await this.store.getIncident(lock.incidentId);
      if (stored) {
        this.cache.put(stored);
        return stored;
      }
    }
    this.cache.put(incident);
    await this.notify(incident, 'opened', 'opened', incident.updates[0]!.message, now);
    return incident;
  }

  private async resolveAuto(lock: OpenLock, now: number, reason: string): Promise<void> {
    let incident = this.cache.get(lock.incidentId) ?? (await this.store.getIncident(lock.incidentId));
    if (incident && incident.status !== 'resolved') {
      const name = this.monitor.find(lock.serviceId)?.service.name ?? lock.serviceId;
      const message =
        reason === 'recovered'
          ? `Automated check: ${name} has recovered after ${humanDuration(now - lock.openedAt)}.`
          : `Automated check: ${name} was ${reason}; closing this incident.`;
      incident = await this.change(incident, (draft) => {
        if (draft.status === 'resolved') return false; // another replica resolved it meanwhile
        draft.status = 'resolved';
        draft.resolvedAt = iso(now);
        draft.updates.push({ at: iso(now), status: 'resolved', message });
      });
    }
    if (incident)
      await this.notify(incident, 'resolved', 'resolved', incident.updates.at(-1)?.message ?? 'Resolved.', now);
    await this.store.releaseOpenLock(lock.serviceId, lock.incidentId);
    this.locks.delete(lock.serviceId);
  }

  /** After a crash: make sure the locked incident exists and its notifications are queued. */
  private async repair(lock: OpenLock, now: number): Promise<void> {
    let incident = this.cache.get(lock.incidentId) ?? (await this.store.getIncident(lock.incidentId));
    if (!incident) {
      const state = this.monitor.find(lock.serviceId)?.state;
      incident = await this.createFromLock(lock, state === 'degraded' ? 'minor' : 'major', null, lock.openedAt);
      return;
    }
    this.cache.put(incident);
    await this.notify(incident, 'opened', 'opened', incident.updates[0]?.message ?? incident.title, lock.openedAt);
    if (incident.status === 'resolved') await this.resolveAuto(lock, now, 'recovered');
  }

  private async reconcileAll(now: number): Promise<void> {
    const ids = new Set<string>(this.locks.keys());
    for (const { service, state } of this.monitor.list()) {
      if (state === 'down' || state === 'degraded') ids.add(service.id);
    }
    for (const id of ids) {
      await this.serial(id, () => this.reconcileService(id, now)).catch((error: unknown) =>
        this.logger.warn(`reconcile of ${id} failed: ${String(error)}`),
      );
    }
    if (this.options.reminderEveryMs !== null) await this.remind(now);
    this.cache.prune(new Date(now - this.options.historyDays * DAY_MS).toISOString());
  }

  private async remind(now: number): Promise<void> {
    const every = this.options.reminderEveryMs!;
    for (const lock of this.locks.values()) {
      const incident = this.cache.get(lock.incidentId);
      const count = Math.floor((now - lock.openedAt) / every);
      if (!incident || incident.status === 'resolved' || count < 1) continue;
      await this.notify(
        incident,
        'reminder',
        `reminder-${count}`,
        `Still open after ${humanDuration(now - lock.openedAt)}.`,
        now,
      );
    }
  }

  // ---- manual incidents and updates ----------------------------------------------------------------------

  async createManual(body: unknown, actor: string, now = Date.now()): Promise<Incident> {
    const dto = parseDto(CreateIncidentDto, body);
    this.assertServicesExist(dto.serviceIds, 'serviceIds');
    const status: IncidentStatus = dto.status ?? 'investigating';
    const incident: Incident = {
      id: newId('inc', now),
      title: dto.title,
      status,
      impact: dto.impact,
      kind: 'manual',
      serviceIds: [...new Set(dto.serviceIds)],
      startedAt: iso(now),
      resolvedAt: status === 'resolved' ? iso(now) : null,
      updates: [{ at: iso(now), status, message: dto.message }],
      lastError: null,
      version: 1,
    };
    await this.store.createIncident(incident);
    this.cache.put(incident);
    await this.record(actor, 'incident.create', incident.id, null, incident);
    if (dto.notify) await this.notify(incident, 'update', 'update-0', dto.message, now);
    return incident;
  }

  async addUpdate(id: string, body: unknown, actor: string, now = Date.now()): Promise<Incident> {
    const dto = parseDto(IncidentUpdateDto, body);
    const before = this.find(id);
    assertCanUpdate(before, dto.status);
    const lock =
      before.kind === 'auto' ? [...this.locks.values()].find((candidate) => candidate.incidentId === id) : undefined;
    if (dto.status === 'resolved' && lock) {
      throw new ConflictError(
        `incident ${JSON.stringify(id)} resolves automatically when ${lock.serviceId} recovers; post identified or monitoring updates meanwhile`,
      );
    }
    const after = await this.change(before, (draft) => {
      // A concurrent update may have landed since the checks above: they must hold for the stored copy too.
      assertCanUpdate(draft, dto.status);
      draft.status = dto.status;
      if (dto.status === 'resolved') draft.resolvedAt = iso(now);
      draft.updates.push({ at: iso(now), status: dto.status, message: dto.message });
    });
    await this.record(actor, 'incident.update', id, before, after);
    if (dto.notify) {
      const transition: NotificationTransition = dto.status === 'resolved' ? 'resolved' : 'update';
      await this.notify(after, transition, `update-${after.updates.length - 1}`, dto.message, now);
    }
    return after;
  }

  async edit(id: string, body: unknown, actor: string): Promise<Incident> {
    const dto = parseDto(EditIncidentDto, body);
    if (dto.serviceIds) this.assertServicesExist(dto.serviceIds, 'serviceIds');
    const before = this.find(id);
    const after = await this.change(before, (draft) => {
      if (dto.title !== undefined) draft.title = dto.title;
      if (dto.impact !== undefined) draft.impact = dto.impact;
      if (dto.serviceIds !== undefined) draft.serviceIds = [...new Set(dto.serviceIds)];
    });
    await this.record(actor, 'incident.edit', id, before, after);
    return after;
  }

  find(id: string): Incident {
    const incident = this.cache.get(id);
    if (!incident) throw new NotFoundError(`incident ${JSON.stringify(id.slice(0, 100))} does not exist`);
    return incident;
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  /**
   * Stores a changed copy with an optimistic version check, re-applying `mutate` to the stored copy after a
   * conflict. `mutate` returns false when the stored copy needs no change (then nothing is written).
   */
  private async change(incident: Incident, mutate: (draft: Incident) => void | false): Promise<Incident> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const draft: Incident = structuredClone(incident);
      if (mutate(draft) === false) {
        this.cache.put(incident);
        return incident;
      }
      draft.version = incident.version + 1;
      if (await this.store.updateIncident(draft, incident.version)) {
        this.cache.put(draft);
        return draft;
      }
      const fresh = await this.store.getIncident(incident.id);
      if (!fresh) throw new NotFoundError(`incident ${JSON.stringify(incident.id)} does not exist`);
      incident = fresh;
    }
    throw new ConflictError(`incident ${JSON.stringify(incident.id)} is being changed concurrently; retry`);
  }

  private async notify(
    incident: Incident,
    transition: NotificationTransition,
    key: string,
    message: string,
    at: number,
  ): Promise<void> {
    const names = incident.serviceIds.map((id) => this.monitor.find(id)?.service.name ?? id);
    const notification: IncidentNotification = {
      incidentId: incident.id,
      transition,
      severity: incident.impact,
      status: incident.status,
      kind: incident.kind,
      title: incident.title,
      serviceIds: incident.serviceIds,
      serviceNames: names,
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
      message,
      lastError: incident.lastError,
      url: `${this.options.publicBaseUrl}/incidents/${encodeURIComponent(incident.id)}`,
      at: iso(at),
    };
    await this.outbox.enqueue(notification, key, at);
  }

  private assertServicesExist(ids: string[], path: string): void {
    const missing = ids.filter((id) => !this.monitor.find(id));
    if (missing.length > 0) {
      throw new InvalidInputError(missing.map((id) => ({ path, value: id, rule: 'is not a monitored service id' })));
    }
  }

  private async record(
    actor: string,
    action: string,
    id: string,
    before: Incident | null,
    after: Incident | null,
  ): Promise<void> {
    await recordChange(this.audit, this.logger, {
      at: Date.now(),
      actor,
      action,
      targetType: 'incident',
      targetId: id,
      before,
      after,
    });
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

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** Manual updates go forward only, and never to a resolved incident. */
function assertCanUpdate(incident: Incident, status: IncidentStatus): void {
  if (incident.status === 'resolved')
    throw new ConflictError(`incident ${JSON.stringify(incident.id)} is resolved; open a new one`);
  if (!canMoveTo(incident.status, status)) {
    throw new InvalidInputError([
      {
        path: 'status',
        value: status,
        rule: `cannot go back from ${incident.status} (order: investigating, identified, monitoring, resolved)`,
      },
    ]);
  }
}
