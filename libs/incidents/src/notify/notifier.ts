import type { IncidentImpact, IncidentKind, IncidentStatus } from '@app/contracts';

export type NotificationChannel = 'sns' | 'slack';
export type NotificationTransition = 'opened' | 'resolved' | 'update' | 'reminder';

/**
 * Everything a channel needs to tell on-call what happened. It is rendered when the transition happens and
 * stored in the outbox item, so a delivery after a restart says exactly what it would have said then.
 */
export interface IncidentNotification {
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
}

/** Port: one delivery channel. `send` resolves only when the channel accepted the message; it throws otherwise. */
export abstract class Notifier {
  abstract readonly channel: NotificationChannel;
  abstract send(notification: IncidentNotification): Promise<void>;
}
