import { isIncidentNotification, type IncidentNotification, type MaintenanceNotification } from './notifier.js';
import type { Notification } from './notifier.js';
import { oneLine, SUBJECT_MAX_LENGTH, toAscii, truncate } from './render.js';

/**
 * What visitors who subscribed to updates are told, and how the subscribers topic routes it. Visitors get the
 * public side only: what is affected, what we are doing, when it is over. Never a probe error, a status code or an
 * on-call detail; the text of an automatic incident is written here, the text of a manual one is what the admin
 * wrote for the page.
 */

/** The message attribute that subscription filter policies match: the ids of the affected services. */
export const VISITOR_SERVICE_ATTRIBUTE = 'service';

const BODY_MESSAGE_MAX_LENGTH = 4000;

/** What visitors can be told about: incidents and maintenance (never certificate warnings, which are on-call's). */
export type VisitorNotification = IncidentNotification | MaintenanceNotification;

/** Visitors hear when an incident opens, changes and ends, and about maintenance; not on-call reminders. */
export function acceptsForVisitors(notification: Notification): notification is VisitorNotification {
  if (notification.subject === 'certificate') return false;
  return !isIncidentNotification(notification) || notification.transition !== 'reminder';
}

function names(n: { serviceIds: string[]; serviceNames: string[] }): string {
  const list = n.serviceIds.map((id, index) => oneLine(n.serviceNames[index] ?? '') || id);
  if (list.length <= 1) return list[0] ?? 'our services';
  return `${list.slice(0, -1).join(', ')} and ${list.at(-1) ?? ''}`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

function incidentHeadline(n: IncidentNotification): string {
  const title = oneLine(n.title);
  if (n.kind === 'auto') {
    switch (n.transition) {
      case 'opened':
        return `Investigating: ${names(n)} unavailable`;
      case 'resolved':
        return n.closure === 'removed' || n.closure === 'paused'
          ? `Closed: ${names(n)} ${n.closure === 'removed' ? 'no longer monitored' : 'monitoring paused'}`
          : `Resolved: ${names(n)} available again`;
      case 'update':
      case 'reminder':
        return `Update: ${names(n)}`;
    }
  }
  switch (n.transition) {
    case 'resolved':
      return `Resolved: ${title}`;
    case 'opened':
    case 'update':
    case 'reminder':
      return `${n.status === 'investigating' ? 'Investigating' : 'Update'}: ${title}`;
  }
}

function incidentText(n: IncidentNotification): string {
  if (n.kind === 'manual') return truncate(n.message.replace(/\r\n?/g, '\n').trim(), BODY_MESSAGE_MAX_LENGTH);
  switch (n.transition) {
    case 'opened':
      return `We are seeing problems with ${names(n)} and are looking into it.`;
    case 'resolved':
      if (n.closure === 'removed')
        return `${names(n)} ${n.serviceIds.length > 1 ? 'are' : 'is'} no longer monitored on this page, so this incident is closed.`;
      if (n.closure === 'paused')
        return `Monitoring of ${names(n)} is paused, so this incident is closed. We cannot confirm from here that the problem is over.`;
      return `${names(n)} ${n.serviceIds.length > 1 ? 'are' : 'is'} working normally again. This incident is resolved.`;
    case 'update':
    case 'reminder':
      return `We are still working on the problem with ${names(n)}.`;
  }
}

function maintenanceHeadline(n: MaintenanceNotification): string {
  return `${n.transition === 'scheduled' ? 'Scheduled maintenance' : 'Maintenance cancelled'}: ${oneLine(n.title)}`;
}

function maintenanceText(n: MaintenanceNotification): string {
  const window = `${when(n.startsAt)} to ${when(n.endsAt)}`;
  const message = truncate(n.message.replace(/\r\n?/g, '\n').trim(), BODY_MESSAGE_MAX_LENGTH);
  return n.transition === 'scheduled'
    ? `Maintenance of ${names(n)} is planned from ${window}.${message ? `\n\n${message}` : ''}`
    : `The maintenance of ${names(n)} planned from ${window} will not take place.`;
}

/** E-mail subject: printable ASCII, at most 100 characters. */
export function visitorSubject(n: VisitorNotification): string {
  const headline = isIncidentNotification(n) ? incidentHeadline(n) : maintenanceHeadline(n);
  return truncate(toAscii(headline), SUBJECT_MAX_LENGTH, '...') || 'Status update';
}

/** Plain-text e-mail body. AWS appends its own unsubscribe link to every e-mail it sends for the topic. */
export function visitorBody(n: VisitorNotification): string {
  const headline = isIncidentNotification(n) ? incidentHeadline(n) : maintenanceHeadline(n);
  const text = isIncidentNotification(n) ? incidentText(n) : maintenanceText(n);
  return [
    oneLine(headline),
    '',
    text,
    '',
    `Affected: ${n.serviceIds.length === 0 ? 'no specific service' : names(n)}`,
    `Details and live status: ${oneLine(n.url)}`,
    '',
    `You get this because you subscribed to updates of this status page (${when(n.at)}).`,
  ].join('\n');
}

/** Message attributes of a visitor notice (`service` only when it names services: SNS refuses empty values). */
export function visitorAttributes(n: VisitorNotification): { service?: string[]; kind: string; event: string } {
  return {
    ...(n.serviceIds.length > 0 ? { service: [...new Set(n.serviceIds)].sort() } : {}),
    kind: isIncidentNotification(n) ? 'incident' : 'maintenance',
    event: n.transition,
  };
}

/**
 * The subscription filter policy for a choice of services, or null for all services (no policy: everything,
 * notices that name no service included). It matches a notice whose `service` attribute names any of them.
 */
export function visitorFilterPolicy(serviceIds: readonly string[] | null): string | null {
  return serviceIds === null ? null : JSON.stringify({ [VISITOR_SERVICE_ATTRIBUTE]: [...new Set(serviceIds)].sort() });
}
