import type { ServiceState } from '@app/contracts';
import { findElements, parseXml, type XmlElement } from '../../../../test/support/xml.js';
import { BADGE_COLORS, formatUptime, renderBadge, statusBadge, uptimeBadge } from './badge.js';

const SVG = 'http://www.w3.org/2000/svg';

const find = findElements;

const parseSvg = parseXml;
const fills = (svg: XmlElement) => find(svg, 'rect').map((rect) => rect.attributes.fill);
/** The texts a reader sees: those outside the aria-hidden shadow groups. */
const texts = (svg: XmlElement): string[] =>
  svg.attributes['aria-hidden'] === 'true'
    ? []
    : svg.children.flatMap((child) => (child.name === 'text' ? [child.text] : texts(child)));
const width = (svg: XmlElement) => Number(svg.attributes.width);

describe('statusBadge', () => {
  it('is a standalone, well-formed SVG with role, aria-label and title', () => {
    const svg = parseSvg(statusBadge('checkout', 'up'));
    expect(svg.name).toBe('svg');
    expect(svg.ns).toBe(SVG);
    expect(svg.attributes.role).toBe('img');
    expect(svg.attributes['aria-label']).toBe('checkout: up');
    expect(find(svg, 'title')[0]?.text).toBe('checkout: up');
    expect(texts(svg)).toEqual(['checkout', 'up']);
  });

  it.each<[ServiceState, string, string]>([
    ['up', 'up', BADGE_COLORS.brightgreen],
    ['degraded', 'degraded', BADGE_COLORS.yellow],
    ['down', 'down', BADGE_COLORS.red],
    ['maintenance', 'maintenance', BADGE_COLORS.blue],
    ['unknown', 'unknown', BADGE_COLORS.grey],
  ])('shows %s as "%s" in %s', (state, value, color) => {
    const svg = parseSvg(statusBadge('api', state));
    expect(texts(svg)).toEqual(['api', value]);
    expect(fills(svg)).toContain(color);
  });

  it('escapes the label for XML', () => {
    const raw = statusBadge(`<script>alert("x")</script> & 'co'\u0001`, 'down');
    const svg = parseSvg(raw);
    expect(find(svg, 'script')).toHaveLength(0);
    expect(svg.attributes['aria-label']).toBe(`<script>alert("x")</script> & 'co': down`);
    expect(texts(svg)[0]).toBe(`<script>alert("x")</script> & 'co'`);
  });

  it('sizes each box to its text, glyph by glyph, and the two boxes add up to the whole width', () => {
    const short = parseSvg(statusBadge('api', 'up'));
    const long = parseSvg(statusBadge('checkout-service-eu-west', 'up'));
    expect(width(long)).toBeGreaterThan(width(short));
    const rects = find(find(long, 'g')[0]!, 'rect');
    expect(Number(rects[0]!.attributes.width) + Number(rects[1]!.attributes.width)).toBe(width(long));
    // Same number of characters, different glyphs: a service name is measured, not counted.
    expect(width(parseSvg(statusBadge('WWWWWWWW', 'up')))).toBeGreaterThan(
      width(parseSvg(statusBadge('iiiiiiii', 'up'))),
    );
  });

  it('keeps a service name to 64 characters and drops control characters', () => {
    const svg = parseSvg(statusBadge(`${'x'.repeat(100)}\u0007`, 'up'));
    expect(texts(svg)[0]).toBe(`${'x'.repeat(63)}…`);
    expect(parseSvg(statusBadge('a\u0000b\uFFFEc', 'up')).attributes['aria-label']).toBe('a bc: up');
  });

  it('collapses an empty label to the value alone', () => {
    const svg = parseSvg(renderBadge('', 'no data', BADGE_COLORS.grey));
    expect(texts(svg)).toEqual(['no data']);
    expect(svg.attributes['aria-label']).toBe('no data');
  });
});

describe('uptimeBadge', () => {
  it.each<[number | null, string, string]>([
    [100, '100%', BADGE_COLORS.brightgreen],
    [99.95, '99.95%', BADGE_COLORS.brightgreen],
    [99.9, '99.9%', BADGE_COLORS.brightgreen],
    [99.8999, '99.89%', BADGE_COLORS.yellowgreen],
    [99, '99%', BADGE_COLORS.yellowgreen],
    [97.5, '97.5%', BADGE_COLORS.orange],
    [94.99, '94.99%', BADGE_COLORS.red],
    [0, '0%', BADGE_COLORS.red],
    [null, 'no data', BADGE_COLORS.grey],
    [Number.NaN, 'no data', BADGE_COLORS.grey],
  ])('shows %p as "%s" in %s', (uptime, value, color) => {
    const svg = parseSvg(uptimeBadge('uptime 30d', uptime));
    expect(texts(svg)).toEqual(['uptime 30d', value]);
    expect(fills(svg)).toContain(color);
    expect(svg.attributes['aria-label']).toBe(`uptime 30d: ${value}`);
  });

  it('never rounds up past what was measured', () => {
    expect(formatUptime(99.899999)).toBe('99.89%');
    expect(formatUptime(120)).toBe('100%');
  });
});
