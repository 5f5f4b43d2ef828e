import type { IncidentImpact, IncidentKind, IncidentStatus } from '@app/contracts';

/** On-call: `sns` (alerts topic) and `slack`; visitors: `subscribers` (the subscribers topic). */
export type NotificationChannel = 'sns' | 'slack' | 'subscribers';
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['sns', 'slack', 'subscribers'];
export type NotificationTransition = 'opened' | 'resolved' | 'update' | 'reminder';

/**
 * Why an automatic incident ended: its service recovered, or it stopped being monitored while still failing —
 * deleted (or gone from the services file) or paused. Only "recovered" means it works again.
 */
export type IncidentClosure = 'recovered' | 'removed' | 'paused';

/**
 * Everything a channel needs to tell on-call what happened. It is rendered when the transition happens and
 * stored in the outbox item, so a delivery after a restart says exactly what it would have said then.
 */
export interface IncidentNotification {
  /** Absent on items queued before maintenance notices existed; never 'maintenance'. */
  subject?: 'incident';
  incidentId: string;
  transition: NotificationTransition;
  /** Incident impact: none | minor | major | critical (SNS attribute `severity`). */
  severity: IncidentImpact;
  status: IncidentStatus;
  kind: IncidentKind;
  title: string;
  /** The affected services (ids and display names, same order). */
  serviceIds: string[];
  serviceNames: string[];
  /** ISO-8601: when the incident started, and when it was resolved (resolved transition only). */
  startedAt: string;
  resolvedAt: string | null;
  /** The public update text for this transition (user-supplied for manual updates: escape it per channel). */
  message: string;
  /** Last probe error for automatic incidents, e.g. "HTTP 503" or "timeout after 800ms". */
  lastError: string | null;
  /** Link to the incident on the public status page. */
  url: string;
  /** ISO-8601 time of this transition. */
  at: string;
  /** Resolved automatic incidents: why it ended (absent on items queued before this existed = recovered). */
  closure?: IncidentClosure;
  /**
   * ISO-8601 time the channel is sending this, set by the dispatcher for each attempt (never stored): durations
   * ("since … ago", "still open after …") are computed against it, so a message sent late says how long it really is.
   */
  sentAt?: string;
}

export type MaintenanceTransition = 'scheduled' | 'cancelled';

/** A scheduled maintenance window announced to (or withdrawn from) visitors; on-call channels never get these. */
export interface MaintenanceNotification {
  subject: 'maintenance';
  maintenanceId: string;
  transition: MaintenanceTransition;
  title: string;
  serviceIds: string[];
  serviceNames: string[];
  /** ISO-8601. */
  startsAt: string;
  endsAt: string;
  /** The public message an admin wrote for the window. */
  message: string;
  /** The status page. */
  url: string;
  at: string;
  /** Set by the dispatcher when sending (see IncidentNotification.sentAt). */
  sentAt?: string;
}

/**
 * A service's TLS certificate crossed an expiry threshold (14, 7, 1 days, or expired): on-call is told once per
 * threshold and certificate. Visitors never hear about it.
 */
export interface CertificateNotification {
  subject: 'certificate';
  serviceId: string;
  serviceName: string;
  /** The URL checked (https://… or tcp://…). */
  target: string;
  /** ISO-8601 notAfter of the leaf certificate. */
  expiresAt: string;
  /** Whole days left when this was sent (negative once expired). */
  daysLeft: number;
  /** The threshold crossed: 14, 7, 1, or 0 for "expired". */
  threshold: number;
  /** "certificate expires in 6 days". */
  message: string;
  /** The service's page on the status page. */
  url: string;
  at: string;
  /** Set by the dispatcher when sending (see IncidentNotification.sentAt). */
  sentAt?: string;
}

/** Everything the outbox delivers. */
export type Notification = IncidentNotification | MaintenanceNotification | CertificateNotification;

export function isIncidentNotification(notification: Notification): notification is IncidentNotification {
  return notification.subject === undefined || notification.subject === 'incident';
}

export function isCertificateNotification(notification: Notification): notification is CertificateNotification {
  return notification.subject === 'certificate';
}

/** The incident, maintenance window or certificate a notification is about (outbox item ids start with it). */
export function subjectId(notification: Notification): string {
  if (isIncidentNotification(notification)) return notification.incidentId;
  if (isCertificateNotification(notification))
    return `cert:${notification.serviceId}:${Date.parse(notification.expiresAt)}`;
  return notification.maintenanceId;
}

/** Port: one delivery channel. `send` resolves only when the channel accepted the message; it throws otherwise. */
export abstract class Notifier {
  abstract readonly channel: NotificationChannel;
  /** Whether this channel tells anyone about it; on-call channels take incidents and certificate warnings. */
  accepts(notification: Notification): boolean {
    return isIncidentNotification(notification) || isCertificateNotification(notification);
  }
  abstract send(notification: Notification): Promise<void>;
}

/** An on-call channel: incidents and certificate warnings (the dispatcher never hands it anything else). */
export abstract class OnCallNotifier extends Notifier {
  async send(notification: Notification): Promise<void> {
    if (isIncidentNotification(notification)) return this.sendIncident(notification);
    if (isCertificateNotification(notification)) return this.sendCertificate(notification);
    throw new Error(`${this.channel} carries incident and certificate notifications only, not ${notification.subject}`);
  }
  protected abstract sendIncident(notification: IncidentNotification): Promise<void>;
  protected abstract sendCertificate(notification: CertificateNotification): Promise<void>;
}
