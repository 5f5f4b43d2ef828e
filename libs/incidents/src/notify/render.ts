import { failureWithCode } from '@app/monitoring';
import type { CertificateNotification, IncidentNotification } from './notifier.js';

/**
 * Channel-neutral wording of an incident notification. Slack, SNS (email) and anything added later say the same
 * thing; only the escaping and layout differ per channel.
 */

/** SNS rejects subjects of 100 characters or more in some regions; we stay at or below 100 everywhere. */
export const SUBJECT_MAX_LENGTH = 100;

/** Upper bound for the public message inside an email body, so a pasted log can't blow the 256 KB SNS limit. */
const BODY_MESSAGE_MAX_LENGTH = 8000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Human duration with the two largest units: "45s", "12m", "1h 5m", "2d 3h". Negative or invalid → "0s". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  if (ms < MINUTE) return `${Math.floor(ms / 1000)}s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}m`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  return hours === 0 ? `${days}d` : `${days}d ${hours}h`;
}

/** Milliseconds from `from` to `to` (ISO strings), 0 when either is missing or unparsable. */
function elapsed(from: string | null, to: string | null): number {
  if (from === null || to === null) return 0;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) ? Math.max(0, ms) : 0;
}

// eslint-disable-next-line no-control-regex
const LINE_BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** Collapses line breaks, tabs and control characters into single spaces (one-line contexts). */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS_AND_CONTROLS, ' ').replace(/\s+/g, ' ').trim();
}

/** Removes control characters other than tab and newline (multi-line contexts); CRLF becomes LF. */
function multiLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Cuts `text` to at most `max` code units, ending in `ellipsis`, never splitting a surrogate pair. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - ellipsis.length) break;
    out += char;
  }
  return out.trimEnd() + ellipsis;
}

/** Who is affected, for one-line use: "Checkout API", "Checkout API, Search", or the ids when names are missing. */
export function serviceList(n: IncidentNotification): string {
  const names = n.serviceIds.map((id, index) => n.serviceNames[index] || id);
  return names.length === 0 ? 'no services' : names.join(', ');
}

const STATUS_LABEL: Record<IncidentNotification['status'], string> = {
  investigating: 'investigating',
  identified: 'identified',
  monitoring: 'monitoring',
  resolved: 'resolved',
};

/** When the message goes out: durations are measured to it (the transition time for a message rendered early). */
export function sendTime(n: IncidentNotification): string {
  return n.sentAt ?? n.at;
}

/** An automatic incident that ended because its service stopped being monitored, not because it recovered. */
function closedUnrecovered(n: IncidentNotification): n is IncidentNotification & { closure: 'removed' | 'paused' } {
  return n.kind === 'auto' && n.transition === 'resolved' && (n.closure === 'removed' || n.closure === 'paused');
}

/** Short tag for the transition, as it leads the subject: DOWN / INCIDENT / RESOLVED / CLOSED / UPDATE / REMINDER. */
export function transitionTag(n: IncidentNotification): string {
  switch (n.transition) {
    case 'opened':
      return n.kind === 'auto' ? 'DOWN' : 'INCIDENT';
    case 'resolved':
      return closedUnrecovered(n) ? 'CLOSED' : 'RESOLVED';
    case 'update':
      return 'UPDATE';
    case 'reminder':
      return 'REMINDER';
  }
}

/**
 * One-line headline in Unicode, e.g. "[DOWN] Checkout API is down", "[RESOLVED] Checkout API recovered after 12m",
 * "[UPDATE] Payments delayed — identified", "[REMINDER] Payments delayed still open after 1h".
 * Automatic incidents are named after their services on resolve because that is what recovered; manual ones keep
 * their title, which an admin wrote for readers.
 */
export function headline(n: IncidentNotification): string {
  const title = oneLine(n.title) || serviceList(n);
  const tag = `[${transitionTag(n)}]`;
  switch (n.transition) {
    case 'opened':
      return `${tag} ${title}`;
    case 'resolved': {
      const after = humanDuration(elapsed(n.startedAt, n.resolvedAt ?? n.at));
      if (closedUnrecovered(n))
        return `${tag} ${serviceList(n)} ${n.closure === 'removed' ? 'removed from monitoring' : 'paused'} while failing; incident closed after ${after}`;
      return n.kind === 'auto'
        ? `${tag} ${serviceList(n)} recovered after ${after}`
        : `${tag} ${title} (after ${after})`;
    }
    case 'update':
      return `${tag} ${title} — ${STATUS_LABEL[n.status]}`;
    case 'reminder':
      return `${tag} ${title} still open after ${humanDuration(elapsed(n.startedAt, sendTime(n)))}`;
  }
}

/** Typographic characters mapped to their closest ASCII spelling before anything unmappable is dropped. */
const ASCII_REPLACEMENTS: [RegExp, string][] = [
  [/[\u2010-\u2015\u2212]/g, '-'],
  [/[\u2018\u2019\u201a\u201b\u2032]/g, "'"],
  [/[\u201c\u201d\u201e\u201f\u2033]/g, '"'],
  [/\u2026/g, '...'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g, ' '],
  [/\u00df/g, 'ss'],
  [/[\u00e6]/g, 'ae'],
  [/[\u00c6]/g, 'AE'],
  [/[\u00f8]/g, 'o'],
  [/[\u00d8]/g, 'O'],
];

/** Best-effort ASCII: accents stripped (é → e), dashes/quotes/ellipsis mapped, everything else dropped. */
export function toAscii(text: string): string {
  let out = text;
  for (const [pattern, replacement] of ASCII_REPLACEMENTS) out = out.replace(pattern, replacement);
  return out
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Email/SNS subject: at most 100 printable ASCII characters, no line breaks, never starting with whitespace.
 * Over-long headlines end in "..." (not "…", which is not ASCII).
 */
export function subjectLine(n: IncidentNotification): string {
  // The headline always starts with "[TAG]", so the subject is never empty and never starts with whitespace.
  return truncate(toAscii(headline(n)), SUBJECT_MAX_LENGTH, '...');
}

const WHAT_HAPPENED: Record<IncidentNotification['transition'], string> = {
  opened: 'A new incident was opened.',
  resolved: 'The incident was resolved.',
  update: 'The incident was updated.',
  reminder: 'The incident is still open.',
};

/** ISO time plus how long before the message was sent it was, e.g. "2026-01-10T12:00:00.000Z (12m ago)". */
export function sinceText(n: IncidentNotification): string {
  return `${n.startedAt} (${humanDuration(elapsed(n.startedAt, sendTime(n)))} ago)`;
}

/** What happened, in one sentence: a closure that is not a recovery says so. */
function whatHappened(n: IncidentNotification): string {
  if (closedUnrecovered(n))
    return n.closure === 'removed'
      ? 'The incident was closed because its service was removed from monitoring. It did not recover.'
      : 'The incident was closed because monitoring of its service was paused. It did not recover.';
  return WHAT_HAPPENED[n.transition];
}

/** The last probe error in words with its code, e.g. "connection refused (ECONNREFUSED)". */
export function lastErrorText(n: IncidentNotification): string | null {
  if (n.lastError === null || oneLine(n.lastError) === '') return null;
  return failureWithCode(oneLine(n.lastError));
}

/** Plain-text body for email (SNS): what happened, which services, since when, status, last error, message, link. */
export function plainTextBody(n: IncidentNotification): string {
  const services = n.serviceIds.map((id, index) => {
    const name = oneLine(n.serviceNames[index] ?? '');
    return name && name !== id ? `${name} (${id})` : id;
  });
  const lines = [
    oneLine(headline(n)),
    '',
    whatHappened(n),
    '',
    `Incident:      ${truncate(oneLine(n.title), 500)}`,
    `Services:      ${services.length === 0 ? 'none' : services.join(', ')}`,
    `Since:         ${sinceText(n)}`,
  ];
  if (n.resolvedAt !== null)
    lines.push(`Resolved:      ${n.resolvedAt} (after ${humanDuration(elapsed(n.startedAt, n.resolvedAt))})`);
  lines.push(
    `Status:        ${STATUS_LABEL[n.status]}`,
    `Severity:      ${n.severity}`,
    `Opened by:     ${n.kind === 'auto' ? 'the monitor (automatic)' : 'an administrator'}`,
  );
  const lastError = lastErrorText(n);
  if (lastError !== null) lines.push(`Last error:    ${lastError}`);
  const message = truncate(multiLine(n.message).trim(), BODY_MESSAGE_MAX_LENGTH);
  if (message !== '') lines.push('', 'Message:', message);
  lines.push('', `Details: ${oneLine(n.url)}`, '', `Sent at ${sendTime(n)} - incident ${oneLine(n.incidentId)}`);
  return lines.join('\n') + '\n';
}

/** "[CERT] Checkout API: certificate expires in 6 days" (threshold 0: "[CERT EXPIRED] …"). */
export function certificateHeadline(n: CertificateNotification): string {
  return `[${n.threshold === 0 ? 'CERT EXPIRED' : 'CERT'}] ${oneLine(n.serviceName) || n.serviceId}: ${oneLine(n.message)}`;
}

/** E-mail subject of a certificate warning: printable ASCII, at most 100 characters. */
export function certificateSubjectLine(n: CertificateNotification): string {
  return truncate(toAscii(certificateHeadline(n)), SUBJECT_MAX_LENGTH, '...');
}

/** Plain-text body of a certificate warning: which service, which certificate, when it expires, what to do. */
export function certificateBody(n: CertificateNotification): string {
  const when = n.threshold === 0 ? 'has expired' : `crossed the ${n.threshold}-day warning threshold`;
  return (
    [
      oneLine(certificateHeadline(n)),
      '',
      `The TLS certificate of ${oneLine(n.serviceName)} ${when}.`,
      '',
      `Service:       ${oneLine(n.serviceName)} (${n.serviceId})`,
      `Checked:       ${oneLine(n.target)}`,
      `Expires at:    ${n.expiresAt}`,
      `Days left:     ${n.daysLeft}`,
      '',
      'Renew the certificate; this warning is sent once per threshold (14, 7 and 1 days, and on expiry).',
      '',
      `Details: ${oneLine(n.url)}`,
      '',
      `Sent at ${n.at}`,
    ].join('\n') + '\n'
  );
}
