import type { ServiceState } from '@app/contracts';
import { findElements, parseXml, type XmlElement } from '../../../../test/support/xml.js';
import { BADGE_COLORS, formatUptime, loadBadgeRenderer, type BadgeRenderer } from './badge.js';

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

let badges: BadgeRenderer;
beforeAll(async () => {
  badges = await loadBadgeRenderer();
});

describe('BadgeRenderer.status', () => {
  it('is a standalone, well-formed SVG with role, aria-label and title', () => {
    const svg = parseSvg(badges.status('checkout', 'up'));
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
    const svg = parseSvg(badges.status('api', state));
    expect(texts(svg)).toEqual(['api', value]);
    expect(fills(svg)).toContain(color);
  });

  it('escapes the label for XML', () => {
    const raw = badges.status(`<script>alert("x")</script> & 'co'\u0001`, 'down');
    const svg = parseSvg(raw);
    expect(find(svg, 'script')).toHaveLength(0);
    expect(svg.attributes['aria-label']).toBe(`<script>alert("x")</script> & 'co': down`);
    expect(texts(svg)[0]).toBe(`<script>alert("x")</script> & 'co'`);
  });

  it('sizes each box to its text, glyph by glyph, and the two boxes add up to the whole width', () => {
    const short = parseSvg(badges.status('api', 'up'));
    const long = parseSvg(badges.status('checkout-service-eu-west', 'up'));
    expect(width(long)).toBeGreaterThan(width(short));
    const rects = find(find(long, 'g')[0]!, 'rect');
    expect(Number(rects[0]!.attributes.width) + Number(rects[1]!.attributes.width)).toBe(width(long));
    // Same number of characters, different glyphs: a service name is measured, not counted.
    expect(width(parseSvg(badges.status('WWWWWWWW', 'up')))).toBeGreaterThan(
      width(parseSvg(badges.status('iiiiiiii', 'up'))),
    );
  });

  it('keeps a service name to 64 characters and drops control characters', () => {
    const svg = parseSvg(badges.status(`${'x'.repeat(100)}\u0007`, 'up'));
    expect(texts(svg)[0]).toBe(`${'x'.repeat(63)}…`);
    expect(parseSvg(badges.status('a\u0000b\uFFFEc', 'up')).attributes['aria-label']).toBe('a bc: up');
  });

  it('collapses an empty label to the value alone', () => {
    const svg = parseSvg(badges.render('', 'no data', BADGE_COLORS.grey));
    expect(texts(svg)).toEqual(['no data']);
    expect(svg.attributes['aria-label']).toBe('no data');
  });
});

describe('BadgeRenderer.uptime', () => {
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
    const svg = parseSvg(badges.uptime('uptime 30d', uptime));
    expect(texts(svg)).toEqual(['uptime 30d', value]);
    expect(fills(svg)).toContain(color);
    expect(svg.attributes['aria-label']).toBe(`uptime 30d: ${value}`);
  });

  it('never rounds up past what was measured', () => {
    expect(formatUptime(99.899999)).toBe('99.89%');
    expect(formatUptime(120)).toBe('100%');
  });
});
