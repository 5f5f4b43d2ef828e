import { Injectable } from '@nestjs/common';
import type { IncidentStatus } from '@app/contracts';
import { ConflictError, InvalidInputError, NotFoundError, parseDto } from '@app/common';
import { MonitorView } from '@app/monitoring';
import type { NotificationTransition } from '../notify/notifier.js';
import { CreateIncidentDto, EditIncidentDto, IncidentUpdateDto } from './incident.dto.js';
import { IncidentCache } from './incident-cache.js';
import { IncidentReconciler } from './incident-reconciler.js';
import { IncidentWriter, iso } from './incident-writer.js';
import { canMoveTo, newId, type Incident } from './incident.js';

/**
 * What admins do to incidents: open a manual one, post updates (status only moves forward), edit title, impact or
 * services. Every change is validated, stored, audited, and sent to on-call only when asked (`notify: true`).
 */
@Injectable()
export class IncidentCommands {
  constructor(
    private readonly writer: IncidentWriter,
    private readonly cache: IncidentCache,
    private readonly reconciler: IncidentReconciler,
    private readonly monitor: MonitorView,
  ) {}

  async create(body: unknown, actor: string, now = Date.now()): Promise<Incident> {
    const dto = parseDto(CreateIncidentDto, body);
    this.assertServicesExist(dto.serviceIds);
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
    await this.writer.create(incident);
    await this.writer.audited(actor, 'incident.create', incident.id, null, incident);
    // An admin declaring an incident opens it, exactly as the monitor does: "[INCIDENT] <title>", transition
    // "opened" (what SNS filter policies select on). One recorded already resolved is announced as resolved.
    if (dto.notify) {
      const transition: NotificationTransition = status === 'resolved' ? 'resolved' : 'opened';
      await this.writer.notify(incident, transition, transition, dto.message, now);
    }
    return incident;
  }

  async addUpdate(id: string, body: unknown, actor: string, now = Date.now()): Promise<Incident> {
    const dto = parseDto(IncidentUpdateDto, body);
    const before = this.find(id);
    assertCanUpdate(before, dto.status);
    const lock = before.kind === 'auto' ? this.reconciler.openLockOf(id) : undefined;
    if (dto.status === 'resolved' && lock) {
      throw new ConflictError(
        `incident ${JSON.stringify(id)} resolves automatically when ${lock.serviceId} recovers; post identified or monitoring updates meanwhile`,
      );
    }
    const after = await this.writer.change(before, (draft) => {
      // A concurrent update may have landed since the checks above: they must hold for the stored copy too.
      assertCanUpdate(draft, dto.status);
      draft.status = dto.status;
      if (dto.status === 'resolved') draft.resolvedAt = iso(now);
      draft.updates.push({ at: iso(now), status: dto.status, message: dto.message });
    });
    await this.writer.audited(actor, 'incident.update', id, before, after);
    if (dto.notify) {
      const transition: NotificationTransition = dto.status === 'resolved' ? 'resolved' : 'update';
      await this.writer.notify(after, transition, `update-${after.updates.length - 1}`, dto.message, now);
    }
    return after;
  }

  async edit(id: string, body: unknown, actor: string): Promise<Incident> {
    const dto = parseDto(EditIncidentDto, body);
    if (dto.serviceIds) this.assertServicesExist(dto.serviceIds);
    const before = this.find(id);
    const after = await this.writer.change(before, (draft) => {
      if (dto.title !== undefined) draft.title = dto.title;
      if (dto.impact !== undefined) draft.impact = dto.impact;
      if (dto.serviceIds !== undefined) draft.serviceIds = [...new Set(dto.serviceIds)];
    });
    await this.writer.audited(actor, 'incident.edit', id, before, after);
    return after;
  }

  private find(id: string): Incident {
    const incident = this.cache.get(id);
    if (!incident) throw new NotFoundError(`incident ${JSON.stringify(id.slice(0, 100))} does not exist`);
    return incident;
  }

  private assertServicesExist(ids: string[]): void {
    const missing = ids.filter((id) => !this.monitor.find(id));
    if (missing.length > 0) {
      throw new InvalidInputError(
        missing.map((id) => ({ path: 'serviceIds', value: id, rule: 'is not a monitored service id' })),
      );
    }
  }
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
