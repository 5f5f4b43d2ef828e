import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import { ClusterView } from '@app/monitoring';
import { INCIDENT_OPTIONS, NOTIFIERS, type IncidentOptions } from '../incidents.options.js';
import { subjectId, type Notification, type Notifier, type NotificationChannel } from '../notify/notifier.js';
import { OutboxStore, type OutboxItem } from '../ports.js';

const LEASE_MS = 60_000;

/** Delivery attempts of one channel: accepted, failed and rescheduled, failed and given up. */
export interface DeliveryCounts {
  sent: number;
  retried: number;
  failed: number;
}
const PER_CHANNEL_IN_FLIGHT = 4;

/**
 * Delivers outbox items: lease (conditional write) → send → mark sent (conditional on the lease). Failures back
 * off exponentially per item; each channel has its own in-flight budget, so a channel that hangs or answers 500
 * for minutes delays neither the other channel nor any check. Pending items survive restarts in DynamoDB.
 * Every replica runs a dispatcher (the lease decides who sends an item): each polls right after it queued
 * something itself, and otherwise every `interval × live replicas` (jittered), so the cluster as a whole reads the
 * outbox about once per interval whatever its size.
 */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger('Alerts');
  private readonly channels = new Map<NotificationChannel, Notifier>();
  private readonly inFlight = new Map<NotificationChannel, Set<string>>();
  private readonly counts = new Map<NotificationChannel, DeliveryCounts>();
  private polling = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private intervalMs = 1000;

  constructor(
    private readonly outbox: OutboxStore,
    @Inject(NOTIFIERS) notifiers: Notifier[],
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
    private readonly clock: Clock,
    private readonly cluster: ClusterView,
  ) {
    for (const notifier of notifiers) {
      this.channels.set(notifier.channel, notifier);
      this.inFlight.set(notifier.channel, new Set());
      this.counts.set(notifier.channel, { sent: 0, retried: 0, failed: 0 });
    }
  }

  get enabledChannels(): NotificationChannel[] {
    return [...this.channels.keys()];
  }

  /** Deliveries by this process since it started, per enabled channel (for the metrics endpoint). */
  deliveryCounts(): ReadonlyMap<NotificationChannel, Readonly<DeliveryCounts>> {
    return this.counts;
  }

  start(intervalMs = 1000): void {
    this.stopped = false;
    this.intervalMs = intervalMs;
    this.schedule();
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const spread = this.intervalMs * Math.max(1, this.cluster.liveReplicas());
    this.timer = setTimeout(
      () => {
        void this.poll().finally(() => this.schedule());
      },
      spread === this.intervalMs ? spread : spread * (0.5 + Math.random()),
    );
    this.timer.unref();
  }

  /**
   * Queues one notification per enabled channel that takes it (on-call: incidents; subscribers: what visitors are
   * told); idempotent by (incident or window, transition key, channel).
   */
  async enqueue(notification: Notification, transitionKey: string, now = this.clock.now()): Promise<void> {
    const subject = subjectId(notification);
    await Promise.all(
      [...this.channels.values()]
        .filter((notifier) => notifier.accepts(notification))
        .map(({ channel }) =>
          this.outbox.enqueue({
            id: `${subject}#${transitionKey}#${channel}`,
            incidentId: subject,
            channel,
            notification,
            createdAt: now,
            attempts: 0,
            dueAt: now,
            status: 'pending',
            lastError: null,
            sentAt: null,
          }),
        ),
    );
    void this.poll();
  }

  /** One pass: per channel, fetch due items and start deliveries within that channel's budget. */
  async poll(now = this.clock.now()): Promise<void> {
    if (this.polling || this.stopped || this.channels.size === 0) return;
    this.polling = true;
    try {
      await Promise.all(
        [...this.inFlight].map(async ([channel, busy]) => {
          if (busy.size >= PER_CHANNEL_IN_FLIGHT) return;
          const due = await this.outbox.due(now, PER_CHANNEL_IN_FLIGHT * 4, channel);
          for (const item of due) {
            if (busy.has(item.id) || busy.size >= PER_CHANNEL_IN_FLIGHT) continue;
            busy.add(item.id);
            void this.deliver(item).finally(() => busy.delete(item.id));
          }
        }),
      );
    } catch (error) {
      this.logger.warn(`outbox poll failed: ${String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  private async deliver(item: OutboxItem): Promise<void> {
    const notifier = this.channels.get(item.channel);
    if (!notifier) return;
    const leaseUntil = this.clock.now() + LEASE_MS;
    if (!(await this.outbox.claim(item.id, leaseUntil, this.clock.now()))) return;
    try {
      // Rendered now, not when queued: a delivery that waited (a channel just switched on, retries) says how long
      // the incident has really been open.
      await notifier.send({ ...item.notification, sentAt: new Date(this.clock.now()).toISOString() });
    } catch (error) {
      const attempts = item.attempts + 1;
      const now = this.clock.now();
      const giveUp = now - item.createdAt >= this.options.giveUpAfterMs;
      const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (attempts - 1));
      const reason = error instanceof Error ? error.message : String(error);
      const counts = this.counts.get(item.channel);
      if (counts) counts[giveUp ? 'failed' : 'retried'] += 1;
      (giveUp ? this.logger.error.bind(this.logger) : this.logger.warn.bind(this.logger))(
        `${item.channel} delivery of ${JSON.stringify(item.id)} failed (attempt ${attempts}): ${reason.slice(0, 200)}${giveUp ? '; giving up' : `; retrying in ${delay} ms`}`,
      );
      await this.outbox
        .reschedule(item.id, leaseUntil, { dueAt: now + delay, attempts, error: reason.slice(0, 500), giveUp })
        .catch((storeError: unknown) => this.logger.warn(`could not reschedule ${item.id}: ${String(storeError)}`));
      return;
    }
    const counts = this.counts.get(item.channel);
    if (counts) counts.sent += 1;
    // Delivered. If this write is lost (crash now), the lease expires and the item is sent again: the only way a
    // message can repeat, and it can't be lost.
    if (!(await this.outbox.markSent(item.id, leaseUntil, this.clock.now()).catch(() => false)))
      this.logger.warn(`delivered ${JSON.stringify(item.id)} but could not record it`);
  }
}
