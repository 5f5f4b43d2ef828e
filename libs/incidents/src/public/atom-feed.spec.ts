import type { IncidentSummary } from '@app/contracts';
import { findElements, parseXml, type XmlElement } from '../../../../test/support/xml.js';
import { escapeXml, renderAtomFeed } from './atom-feed.js';

const ATOM = 'http://www.w3.org/2005/Atom';

const find = findElements;

const resolved: IncidentSummary = {
  id: 'inc-1',
  title: 'Checkout API is down',
  status: 'resolved',
  impact: 'major',
  kind: 'auto',
  serviceIds: ['checkout'],
  startedAt: '2026-01-10T12:00:00.000Z',
  resolvedAt: '2026-01-10T12:12:00.000Z',
  updates: [
    { at: '2026-01-10T12:00:00.000Z', status: 'investigating', message: 'Checks are failing.' },
    { at: '2026-01-10T12:12:00.000Z', status: 'resolved', message: 'Recovered.' },
  ],
};

const hostile: IncidentSummary = {
  id: 'inc 2/<x>',
  title: 'Payments <script>alert("x")</script> & "refunds" \u0000\u0008\u000b\u001f\ufffe',
  status: 'identified',
  impact: 'critical',
  kind: 'manual',
  serviceIds: ['payments'],
  startedAt: '2026-01-11T08:00:00.000Z',
  resolvedAt: null,
  updates: [
    { at: '2026-01-11T08:00:00.000Z', status: 'investigating', message: "Tom's <b>team</b> & co\u0001 are on it" },
    { at: '2026-01-11T08:30:00.000Z', status: 'identified', message: '<script>steal()</script>\nline two' },
  ],
};

const options = {
  incidents: [resolved, hostile],
  selfUrl: 'https://status.example.com/feed.atom',
  siteUrl: 'https://status.example.com/',
  title: 'Example & Co status',
  updatedAt: '2026-01-11T08:30:00.000Z',
};

describe('renderAtomFeed', () => {
  const xml = renderAtomFeed(options);
  const feed = parseXml(xml);
  const child = (parent: XmlElement, name: string) => parent.children.filter((element) => element.name === name);
  const entries = child(feed, 'entry');

  it('is a well-formed Atom 1.0 document with id, title, updated, self and alternate links and an author', () => {
    expect(feed.name).toBe('feed');
    expect(feed.ns).toBe(ATOM);
    expect(child(feed, 'id')[0]?.text).toBe('https://status.example.com/feed.atom');
    expect(child(feed, 'title')[0]?.text).toBe('Example & Co status');
    expect(child(feed, 'updated')[0]?.text).toBe('2026-01-11T08:30:00.000Z');
    const links = child(feed, 'link').map((link) => [link.attributes.rel, link.attributes.href]);
    expect(links).toEqual([
      ['self', 'https://status.example.com/feed.atom'],
      ['alternate', 'https://status.example.com/'],
    ]);
    expect(child(feed, 'author')[0]?.text).toBe('Example & Co status');
  });

  it('has one entry per incident, most recently changed first, with stable ids and the right times and links', () => {
    expect(entries).toHaveLength(2);
    const [first, second] = entries as [XmlElement, XmlElement];
    expect(child(first, 'id')[0]?.text).toBe('tag:status.example.com,2026-01-11:incident/inc%202%2F%3Cx%3E');
    expect(child(first, 'updated')[0]?.text).toBe('2026-01-11T08:30:00.000Z');
    expect(child(first, 'published')[0]?.text).toBe('2026-01-11T08:00:00.000Z');
    expect(child(first, 'link')[0]?.attributes.href).toBe('https://status.example.com/incidents/inc%202%2F%3Cx%3E');
    expect(child(second, 'id')[0]?.text).toBe('tag:status.example.com,2026-01-10:incident/inc-1');
    expect(child(second, 'title')[0]?.text).toBe('[Resolved] Checkout API is down');
    expect(child(second, 'updated')[0]?.text).toBe('2026-01-10T12:12:00.000Z');
    expect(renderAtomFeed(options)).toBe(xml);
  });

  it('escapes <script> and & in titles and messages instead of emitting markup', () => {
    const [first] = entries as [XmlElement];
    expect(child(first, 'title')[0]?.text).toBe('Payments <script>alert("x")</script> & "refunds" ');
    expect(find(feed, 'script')).toHaveLength(0);
    const content = child(first, 'content')[0]!;
    expect(content.attributes.type).toBe('html');
    // The content is HTML a reader renders: user text in it is HTML-escaped, so it shows as text, never as tags.
    const html = content.text;
    expect(html).toContain('&lt;script&gt;steal()&lt;/script&gt;<br/>line two');
    expect(html).toContain('Tom&#39;s &lt;b&gt;team&lt;/b&gt; &amp; co are on it');
    expect(html).not.toMatch(/<script|<b>/);
  });

  it('removes characters XML 1.0 forbids', () => {
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    expect(() => parseXml('<feed>\u0001</feed>')).toThrow(/disallowed character/);
    expect(() => parseXml(renderAtomFeed({ ...options, title: 'a\u0000b\ud800c' }))).not.toThrow();
  });

  it('renders an empty but valid feed without incidents', () => {
    const empty = parseXml(renderAtomFeed({ ...options, incidents: [] }));
    expect(empty.name).toBe('feed');
    expect(find(empty, 'entry')).toHaveLength(0);
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials and drops illegal characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001\t`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\t');
  });
});
