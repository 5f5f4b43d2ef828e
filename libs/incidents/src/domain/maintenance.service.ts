import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MaintenanceWindow } from '@app/contracts';
import { AuditLog, InvalidInputError, NotFoundError, parseDto, recordChange } from '@app/common';
import { ChangeFeed, MaintenanceCache, MonitorView } from '@app/monitoring';
import { INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import type { MaintenanceNotification, MaintenanceTransition } from '../notify/notifier.js';
import { IncidentStore } from '../ports.js';
import { MaintenanceDto } from './incident.dto.js';
import { newId } from './incident.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

const MAX_WINDOW_MS = 7 * 86_400_000;
/** Windows that ended longer ago than this are not loaded (the same horizon as at boot). */
const ENDED_HORIZON_MS = 14 * 86_400_000;

/**
 * Scheduled maintenance: stored in DynamoDB, mirrored in memory for the runner and the status page (a change made
 * on another replica is reloaded when the change feed announces it), and announced to subscribed visitors
 * (scheduled, and cancelled when deleted before it ended) through the outbox.
 */
@Injectable()
export class MaintenanceService {
  private readonly logger = new Logger('Maintenance');

  constructor(
    private readonly store: IncidentStore,
    private readonly monitor: MonitorView,
    private readonly cache: MaintenanceCache,
    private readonly audit: AuditLog,
    private readonly feed: ChangeFeed,
    private readonly outbox: OutboxDispatcher,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
  ) {
    feed.on('maintenance', () => this.reload());
  }

  /** Takes the stored windows as they are now. */
  async reload(now = Date.now()): Promise<void> {
    this.cache.set(await this.store.listMaintenance(new Date(now - ENDED_HORIZON_MS).toISOString()));
  }

  list(): MaintenanceWindow[] {
    return this.cache.all();
  }

  async create(body: unknown, actor: string, now = Date.now()): Promise<MaintenanceWindow> {
    const dto = parseDto(MaintenanceDto, body);
    const starts = Date.parse(dto.startsAt);
    const ends = Date.parse(dto.endsAt);
    const errors = dto.serviceIds
      .filter((id) => !this.monitor.find(id))
      .map((id) => ({ path: 'serviceIds', value: id, rule: 'is not a monitored service id' }));
    if (ends <= starts) errors.push({ path: 'endsAt', value: dto.endsAt, rule: 'must be after startsAt' });
    else if (ends - starts > MAX_WINDOW_MS)
      errors.push({ path: 'endsAt', value: dto.endsAt, rule: 'must be at most 7 days after startsAt' });
    if (ends <= now) errors.push({ path: 'endsAt', value: dto.endsAt, rule: 'must be in the future' });
    if (errors.length > 0) throw new InvalidInputError(errors);
    const window: MaintenanceWindow = {
      id: newId('mnt', now),
      title: dto.title,
      serviceIds: [...new Set(dto.serviceIds)],
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(ends).toISOString(),
      message: dto.message,
    };
    await this.store.putMaintenance(window);
    this.cache.set([...this.cache.all(), window]);
    this.feed.publish({ kind: 'maintenance' });
    await this.auditChange(actor, 'maintenance.create', window.id, null, window);
    await this.announce(window, 'scheduled', now);
    return window;
  }

  async delete(id: string, actor: string, now = Date.now()): Promise<void> {
    const before = this.cache.all().find((window) => window.id === id);
    if (!before || !(await this.store.deleteMaintenance(id)))
      throw new NotFoundError(`maintenance window ${JSON.stringify(id.slice(0, 100))} does not exist`);
    this.cache.set(this.cache.all().filter((window) => window.id !== id));
    this.feed.publish({ kind: 'maintenance' });
    await this.auditChange(actor, 'maintenance.delete', id, before, null);
    // A window that is over needs no "cancelled"; one that is planned or running does.
    if (Date.parse(before.endsAt) > now) await this.announce(before, 'cancelled', now);
  }

  /** Queues the visitor notice (only the subscribers channel takes maintenance notifications). */
  private async announce(window: MaintenanceWindow, transition: MaintenanceTransition, now: number): Promise<void> {
    const notification: MaintenanceNotification = {
      subject: 'maintenance',
      maintenanceId: window.id,
      transition,
      title: window.title,
      serviceIds: window.serviceIds,
      serviceNames: window.serviceIds.map((id) => this.monitor.find(id)?.service.name ?? id),
      startsAt: window.startsAt,
      endsAt: window.endsAt,
      message: window.message,
      url: this.options.publicBaseUrl,
      at: new Date(now).toISOString(),
    };
    try {
      await this.outbox.enqueue(notification, transition, now);
    } catch (error) {
      // The window itself is stored; a lost notice is logged rather than failing the admin's request.
      this.logger.error(`could not queue the ${transition} notice of ${window.id}: ${String(error)}`);
    }
  }

  private async auditChange(actor: string, action: string, id: string, before: unknown, after: unknown): Promise<void> {
    await recordChange(this.audit, this.logger, {
      at: Date.now(),
      actor,
      action,
      targetType: 'maintenance',
      targetId: id,
      before,
      after,
    });
  }
}
