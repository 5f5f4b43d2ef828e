import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { crossedThreshold, daysLeft, describeExpiry, MonitoringEvents, MonitorView } from '@app/monitoring';
import { INCIDENT_OPTIONS, type IncidentOptions } from '../incidents.options.js';
import type { CertificateNotification } from '../notify/notifier.js';
import { CertificateAlertStore, type CertificateAlertMark } from '../ports.js';
import { iso } from './incident-writer.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

/**
 * Certificate-expiry alerts: once per threshold crossing (14, 7, 1 days, expired) and certificate, not per check.
 * The runner reports the notAfter each check saw; the first check below a threshold queues one outbox item per
 * on-call channel (ids derived from service, certificate and threshold, so a replay is a no-op), then stores the
 * threshold (`cert-alert` item), so a restart never alerts the same crossing again and a crash between the two
 * writes only replays the no-op. A renewed certificate (another notAfter) starts over.
 */
@Injectable()
export class CertificateAlerts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Certificates');
  /** Per service: the stored mark once read (null = none stored), so a check costs no read after the first. */
  private readonly marks = new Map<string, CertificateAlertMark | null>();
  private readonly queues = new Map<string, Promise<void>>();
  private subscription: Subscription | null = null;

  constructor(
    private readonly store: CertificateAlertStore,
    private readonly outbox: OutboxDispatcher,
    private readonly monitor: MonitorView,
    private readonly events: MonitoringEvents,
    @Inject(INCIDENT_OPTIONS) private readonly options: IncidentOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.events.checkCompleted$.subscribe((check) => {
      const notAfter = check.certificateNotAfter;
      if (notAfter === undefined) return;
      void this.observe(check.serviceId, notAfter, Date.now()).catch((error: unknown) =>
        this.logger.warn(`certificate alert for ${JSON.stringify(check.serviceId)} failed: ${String(error)}`),
      );
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** One check saw `notAfter`: alert if it crossed a threshold not alerted yet. Serial per service. */
  observe(serviceId: string, notAfter: number, now: number): Promise<void> {
    const previous = this.queues.get(serviceId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.judge(serviceId, notAfter, now));
    this.queues.set(serviceId, next);
    void next.finally(() => {
      if (this.queues.get(serviceId) === next) this.queues.delete(serviceId);
    });
    return next;
  }

  private async judge(serviceId: string, notAfter: number, now: number): Promise<void> {
    const threshold = crossedThreshold(notAfter, now);
    if (threshold === null) return;
    const view = this.monitor.find(serviceId);
    if (!view || view.service.paused) return;
    let mark = this.marks.get(serviceId);
    if (mark === undefined) {
      mark = await this.store.get(serviceId);
      this.marks.set(serviceId, mark);
    }
    if (mark && mark.notAfter === notAfter && mark.threshold <= threshold) return;
    const notification: CertificateNotification = {
      subject: 'certificate',
      serviceId,
      serviceName: view.service.name,
      target: view.service.url,
      expiresAt: iso(notAfter),
      daysLeft: daysLeft(notAfter, now),
      threshold,
      message: describeExpiry(notAfter, now),
      url: `${this.options.publicBaseUrl}/services/${encodeURIComponent(serviceId)}`,
      at: iso(now),
    };
    await this.outbox.enqueue(notification, `expires-${threshold}d`, now);
    const stored = { notAfter, threshold };
    await this.store.save(serviceId, stored);
    this.marks.set(serviceId, stored);
    this.logger.log(`${serviceId}: ${notification.message}; on-call told (threshold ${threshold} days)`);
  }
}
