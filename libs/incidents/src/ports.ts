import type { MaintenanceWindow } from '@app/contracts';
import type { Incident, OpenLock } from './domain/incident.js';
import type { Notification, NotificationChannel } from './notify/notifier.js';

/** Port: incidents, the per-service open lock, and maintenance windows (one DynamoDB table in AWS). */
export abstract class IncidentStore {
  /** Takes the service's open lock; returns null when taken by this call, else the lock that already exists. */
  abstract acquireOpenLock(lock: OpenLock): Promise<OpenLock | null>;
  /** Removes the lock only if it still belongs to this incident. */
  abstract releaseOpenLock(serviceId: string, incidentId: string): Promise<void>;
  abstract listOpenLocks(): Promise<OpenLock[]>;
  /** The service's open lock (strongly consistent), or null when there is none. */
  abstract getOpenLock(serviceId: string): Promise<OpenLock | null>;
  /** Creates the incident; false when an incident with this id already exists. */
  abstract createIncident(incident: Incident): Promise<boolean>;
  /** Stores a new version; false when the stored version is not `expectedVersion` (someone else changed it). */
  abstract updateIncident(incident: Incident, expectedVersion: number): Promise<boolean>;
  abstract getIncident(id: string): Promise<Incident | null>;
  /** Incidents that started at or after `fromIso`, newest first. */
  abstract listIncidentsSince(fromIso: string): Promise<Incident[]>;
  abstract putMaintenance(window: MaintenanceWindow): Promise<void>;
  abstract deleteMaintenance(id: string): Promise<boolean>;
  /** Windows that end at or after `endsAfterIso`. */
  abstract listMaintenance(endsAfterIso: string): Promise<MaintenanceWindow[]>;
}

export interface OutboxItem {
  /** `<subject id>#<transition key>#<channel>`: one item per (incident or window, transition, channel), ever. */
  id: string;
  /** The incident, or for a maintenance notice the maintenance window, the item is about. */
  incidentId: string;
  channel: NotificationChannel;
  notification: Notification;
  createdAt: number;
  attempts: number;
  dueAt: number;
  status: 'pending' | 'sent' | 'failed';
  lastError: string | null;
  sentAt: number | null;
}

/**
 * Days an outbox item is kept after it was queued (DynamoDB's TTL in AWS, the embedded store's expiry locally).
 * A transition is queued at most once because its item exists: past this, queuing it again would send it again.
 */
export const OUTBOX_RETENTION_DAYS = 90;

/** Port: the alert outbox. Every state change is a single-item conditional write. */
export abstract class OutboxStore {
  /** Adds the item unless an item with its id exists; returns whether it was added. */
  abstract enqueue(item: OutboxItem): Promise<boolean>;
  /**
   * Pending items due at `now`, oldest due first — of one channel when given (each channel is listed on its own,
   * so a backlog on a hung channel can never hide the other channel's new alerts).
   */
  abstract due(now: number, limit: number, channel?: NotificationChannel): Promise<OutboxItem[]>;
  /** How many items of the channel still wait for delivery (due now or later); for the metrics endpoint. */
  abstract pendingCount(channel: NotificationChannel): Promise<number>;
  /** Leases a pending item until `leaseUntil` if nobody holds a live lease; returns whether we got it. */
  abstract claim(id: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Marks it sent, only while we still hold the lease. */
  abstract markSent(id: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Records a failed attempt: next try at `dueAt`, or gives up (status failed) when `giveUp`. */
  abstract reschedule(
    id: string,
    leaseUntil: number,
    update: { dueAt: number; attempts: number; error: string; giveUp: boolean },
  ): Promise<void>;
}

/** The certificate-expiry alert already sent for a service: which certificate, and the lowest threshold told. */
export interface CertificateAlertMark {
  /** Epoch ms notAfter of the certificate the alert was about (a renewed certificate starts over). */
  notAfter: number;
  /** Days: 14, 7, 1 or 0 (expired). */
  threshold: number;
}

/** Port: the last certificate threshold alerted per service, so a restart never alerts the same crossing again. */
export abstract class CertificateAlertStore {
  abstract get(serviceId: string): Promise<CertificateAlertMark | null>;
  abstract save(serviceId: string, mark: CertificateAlertMark): Promise<void>;
}
