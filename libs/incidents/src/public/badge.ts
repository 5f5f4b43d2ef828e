import type { ServiceState } from '@app/contracts';
import { escapeXml } from './atom-feed.js';

/** Colours of the shields.io palette, so our badges sit well next to others in a README. */
export const BADGE_COLORS = {
  brightgreen: '#4c1',
  yellowgreen: '#a4a61d',
  yellow: '#dfb317',
  orange: '#fe7d37',
  red: '#e05d44',
  blue: '#007ec6',
  grey: '#9f9f9f',
} as const;

const LABEL_MAX_LENGTH = 64;

/**
 * Approximate advance widths of Verdana 11px (the shields.io font), in px. Browsers render with whatever Verdana-like
 * font they have; `textLength` then squeezes or stretches the text to exactly this width, so the box always fits.
 */
function charWidth(char: string): number {
  if (/[ilj.,:;!|'`]/.test(char)) return 3.5;
  if (/[ ()[\]{}frt\-/\\]/.test(char)) return 4.6;
  if (/[mwMW%@]/.test(char)) return 10.5;
  if (/[A-Z]/.test(char)) return 7.6;
  if (/[0-9a-z#$&*+<=>?^_~"]/.test(char)) return 6.9;
  return char.codePointAt(0)! > 0x2e80 ? 11 : 7.5; // CJK and other wide scripts
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return Math.round(width * 10) / 10;
}

function cleanLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = label.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return [...flat].length > LABEL_MAX_LENGTH ? [...flat].slice(0, LABEL_MAX_LENGTH - 1).join('') + '…' : flat;
}

/** A flat two-part badge ("label | value") as a standalone SVG document. */
export function renderBadge(label: string, value: string, color: string): string {
  const left = cleanLabel(label);
  const right = cleanLabel(value);
  const leftText = Math.round(textWidth(left) * 10);
  const rightText = Math.round(textWidth(right) * 10);
  // 5px padding either side, as shields.io does; an empty label collapses to nothing.
  const leftWidth = left === '' ? 0 : Math.round(leftText / 10) + 10;
  const rightWidth = Math.round(rightText / 10) + 10;
  const width = leftWidth + rightWidth;
  const accessible = escapeXml(left === '' ? right : `${left}: ${right}`);
  const text = (content: string, x: number, length: number) =>
    `<text aria-hidden="true" x="${x}" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="${length}">${escapeXml(content)}</text>` +
    `<text x="${x}" y="140" transform="scale(.1)" fill="#fff" textLength="${length}">${escapeXml(content)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${accessible}">` +
    `<title>${accessible}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)">` +
    `<rect width="${leftWidth}" height="20" fill="#555"/>` +
    `<rect x="${leftWidth}" width="${rightWidth}" height="20" fill="${escapeXml(color)}"/>` +
    `<rect width="${width}" height="20" fill="url(#s)"/>` +
    `</g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">` +
    (left === '' ? '' : text(left, leftWidth * 5, leftText)) +
    text(right, leftWidth * 10 + rightWidth * 5, rightText) +
    `</g></svg>`
  );
}

/** Value and colour of each service state. */
export function stateBadgeStyle(state: ServiceState): { value: string; color: string } {
  switch (state) {
    case 'up':
      return { value: 'up', color: BADGE_COLORS.brightgreen };
    case 'degraded':
      return { value: 'degraded', color: BADGE_COLORS.yellow };
    case 'down':
      return { value: 'down', color: BADGE_COLORS.red };
    case 'maintenance':
      return { value: 'maintenance', color: BADGE_COLORS.blue };
    case 'unknown':
      return { value: 'unknown', color: BADGE_COLORS.grey };
  }
}

/** "checkout | up" in green, "checkout | down" in red, and so on. */
export function statusBadge(label: string, state: ServiceState): string {
  const { value, color } = stateBadgeStyle(state);
  return renderBadge(label, value, color);
}

/**
 * Uptime shown with at most two decimals, rounded DOWN so the badge never claims more than was measured
 * (99.8999 shows "99.89%", not "99.9%" next to a yellowgreen box).
 */
export function formatUptime(percent: number): string {
  const clamped = Math.min(100, Math.max(0, percent));
  const floored = Math.floor(clamped * 100 + 1e-6) / 100;
  return `${floored.toFixed(2).replace(/\.?0+$/, '')}%`;
}

export function uptimeColor(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return BADGE_COLORS.grey;
  if (percent >= 99.9) return BADGE_COLORS.brightgreen;
  if (percent >= 99) return BADGE_COLORS.yellowgreen;
  if (percent >= 95) return BADGE_COLORS.orange;
  return BADGE_COLORS.red;
}

/** "uptime 30d | 99.95%": ≥ 99.9 green, ≥ 99 yellowgreen, ≥ 95 orange, below red; no data grey. */
export function uptimeBadge(label: string, uptimePercent: number | null): string {
  const noData = uptimePercent === null || !Number.isFinite(uptimePercent);
  return renderBadge(label, noData ? 'no data' : formatUptime(uptimePercent), uptimeColor(uptimePercent));
}
