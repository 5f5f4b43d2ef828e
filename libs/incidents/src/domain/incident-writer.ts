import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLog, ConflictError, NotFoundError, recordChange } from '@app/common';
import { ChangeFeed, MonitorView } from '@app/monitoring';
import { INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import type { IncidentClosure, IncidentNotification, NotificationTransition } from '../notify/notifier.js';
import { IncidentStore } from '../ports.js';
import { IncidentCache } from './incident-cache.js';
import type { Incident } from './incident.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

/**
 * What automatic and manual incidents both do: store a change (optimistic version check) and show it, tell the
 * other replicas, queue its notifications in the outbox under an idempotent transition key, and audit admin
 * changes. Another replica's change is read back (consistently) when the change feed names it.
 */
@Injectable()
export class IncidentWriter {
  private readonly logger = new Logger('Incidents');

  constructor(
    private readonly store: IncidentStore,
    private readonly cache: IncidentCache,
    private readonly outbox: OutboxDispatcher,
    private readonly monitor: MonitorView,
    private readonly audit: AuditLog,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
    private readonly feed: ChangeFeed,
  ) {
    feed.on('incident', ({ id }) => this.refresh(id));
  }

  /** Stores a new incident and shows it; false (nothing changed) when one with its id exists. */
  async create(incident: Incident): Promise<boolean> {
    if (!(await this.store.createIncident(incident))) return false;
    this.cache.put(incident);
    this.feed.publish({ kind: 'incident', id: incident.id });
    return true;
  }

  /** Shows the stored copy of an incident another replica changed (unless ours is already as new). */
  async refresh(id: string): Promise<void> {
    const stored = await this.store.getIncident(id);
    if (stored && (this.cache.get(id)?.version ?? 0) < stored.version) this.cache.put(stored);
  }

  /**
   * Stores a changed copy with an optimistic version check, re-applying `mutate` to the stored copy after a
   * conflict. `mutate` returns false when the stored copy needs no change (then nothing is written).
   */
  async change(incident: Incident, mutate: (draft: Incident) => void | false): Promise<Incident> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const draft: Incident = structuredClone(incident);
      if (mutate(draft) === false) {
        this.cache.put(incident);
        return incident;
      }
      draft.version = incident.version + 1;
      if (await this.store.updateIncident(draft, incident.version)) {
        this.cache.put(draft);
        this.feed.publish({ kind: 'incident', id: draft.id });
        return draft;
      }
      const fresh = await this.store.getIncident(incident.id);
      if (!fresh) throw new NotFoundError(`incident ${JSON.stringify(incident.id)} does not exist`);
      incident = fresh;
    }
    throw new ConflictError(`incident ${JSON.stringify(incident.id)} is being changed concurrently; retry`);
  }

  /** Queues one notification per channel; `key` names the transition, so queueing it again is a no-op. */
  async notify(
    incident: Incident,
    transition: NotificationTransition,
    key: string,
    message: string,
    at: number,
    extra: {
      /** Why an automatic incident resolved. */
      closure?: IncidentClosure;
      /** Names of services the runner no longer knows (a deleted service), by id. */
      names?: ReadonlyMap<string, string>;
    } = {},
  ): Promise<void> {
    const notification: IncidentNotification = {
      ...(extra.closure === undefined ? {} : { closure: extra.closure }),
      incidentId: incident.id,
      transition,
      severity: incident.impact,
      status: incident.status,
      kind: incident.kind,
      title: incident.title,
      serviceIds: incident.serviceIds,
      serviceNames: incident.serviceIds.map((id) => this.monitor.find(id)?.service.name ?? extra.names?.get(id) ?? id),
      startedAt: incident.startedAt,
      resolvedAt: incident.resolvedAt,
      message,
      lastError: incident.lastError,
      url: `${this.options.publicBaseUrl}/incidents/${encodeURIComponent(incident.id)}`,
      at: iso(at),
    };
    await this.outbox.enqueue(notification, key, at);
  }

  async audited(actor: string, action: string, id: string, before: Incident | null, after: Incident | null) {
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
}

export function iso(at: number): string {
  return new Date(at).toISOString();
}
