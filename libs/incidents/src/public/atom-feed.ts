import type { IncidentStatus, IncidentSummary } from '@app/contracts';

/**
 * Characters outside the XML 1.0 `Char` production (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/FFFF)
 * make a whole document unparsable, so they are removed; C1 controls are legal but discouraged and removed too.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** The text without the characters an XML 1.0 document cannot contain. */
export function stripNonXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** Text safe inside XML character data and attribute values (either quote style). */
export function escapeXml(text: string): string {
  return stripNonXmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** HTML for the content of an entry; it is XML-escaped again when written into the feed. */
function escapeHtml(text: string): string {
  return stripNonXmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** RFC 3339 as Atom requires, or null for a missing/unparsable time. */
function rfc3339(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const STATUS_LABEL: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

/** Latest of the start, every update and the resolution: when a reader should see the entry as changed. */
function lastChange(incident: IncidentSummary, fallback: string): string {
  const times = [incident.startedAt, incident.resolvedAt, ...incident.updates.map((update) => update.at)]
    .map(rfc3339)
    .filter((time): time is string => time !== null)
    .sort();
  return times.at(-1) ?? fallback;
}

/**
 * Stable entry id (RFC 4151 tag URI): the site's host, the incident's start date and its id never change, so feed
 * readers never show an incident twice even if the feed URL moves.
 */
function entryId(incident: IncidentSummary, siteUrl: string): string {
  let host = 'status.invalid';
  try {
    host = new URL(siteUrl).hostname || host;
  } catch {
    // keep the placeholder: an id must still be produced
  }
  const day = (rfc3339(incident.startedAt) ?? '1970-01-01').slice(0, 10);
  return `tag:${host},${day}:incident/${encodeURIComponent(incident.id)}`;
}

function timelineHtml(incident: IncidentSummary): string {
  const services = incident.serviceIds.length === 0 ? 'none' : incident.serviceIds.join(', ');
  const header = `<p><strong>Impact:</strong> ${escapeHtml(incident.impact)} &#183; <strong>Services:</strong> ${escapeHtml(services)}</p>`;
  // Newest first, as on the incident page.
  const updates = [...incident.updates]
    .sort((a, b) => (rfc3339(b.at) ?? '').localeCompare(rfc3339(a.at) ?? ''))
    .map(
      (update) =>
        `<p><strong>${STATUS_LABEL[update.status]}</strong> &#8212; <time datetime="${escapeHtml(update.at)}">${escapeHtml(update.at)}</time><br/>` +
        `${escapeHtml(update.message).replace(/\r?\n/g, '<br/>')}</p>`,
    );
  return [header, ...updates].join('\n');
}

export interface AtomFeedOptions {
  incidents: IncidentSummary[];
  /** Absolute URL the feed is served from (link rel="self", and the feed id). */
  selfUrl: string;
  /** Absolute URL of the public status page, without a trailing slash. */
  siteUrl: string;
  title: string;
  /** ISO-8601 time of the most recent change on the page. */
  updatedAt: string;
}

/** Atom 1.0 feed of incidents, one entry per incident, most recently changed first. */
export function renderAtomFeed(options: AtomFeedOptions): string {
  const siteUrl = options.siteUrl.replace(/\/+$/, '');
  const feedUpdated = rfc3339(options.updatedAt) ?? new Date(0).toISOString();
  const entries = options.incidents
    .map((incident) => ({ incident, updated: lastChange(incident, feedUpdated) }))
    .sort((a, b) => b.updated.localeCompare(a.updated))
    .map(({ incident, updated }) => {
      const published = rfc3339(incident.startedAt) ?? updated;
      const link = `${siteUrl}/incidents/${encodeURIComponent(incident.id)}`;
      const state = incident.status === 'resolved' ? '[Resolved] ' : '';
      return [
        '  <entry>',
        `    <id>${escapeXml(entryId(incident, siteUrl))}</id>`,
        `    <title type="text">${escapeXml(state + incident.title)}</title>`,
        `    <updated>${updated}</updated>`,
        `    <published>${published}</published>`,
        `    <link rel="alternate" type="text/html" href="${escapeXml(link)}"/>`,
        `    <category term="${escapeXml(incident.status)}"/>`,
        `    <category term="${escapeXml(incident.impact)}"/>`,
        `    <content type="html">${escapeXml(timelineHtml(incident))}</content>`,
        '  </entry>',
      ].join('\n');
    });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(options.selfUrl)}</id>`,
    `  <title type="text">${escapeXml(options.title)}</title>`,
    `  <updated>${feedUpdated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(options.selfUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(siteUrl + '/')}"/>`,
    `  <author><name>${escapeXml(options.title)}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
