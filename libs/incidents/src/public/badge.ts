import type { ServiceState } from '@app/contracts';
import { makeBadge } from 'badge-maker';
import { stripNonXmlChars } from './atom-feed.js';

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
 * Text a badge can show: control characters and anything XML cannot carry become spaces or go, and a label longer
 * than 64 characters ends in "…" (a service name is user input).
 */
function cleanLabel(label: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = stripNonXmlChars(label.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')).trim();
  return [...flat].length > LABEL_MAX_LENGTH ? [...flat].slice(0, LABEL_MAX_LENGTH - 1).join('') + '…' : flat;
}

/**
 * A flat two-part badge ("label | value") as a standalone SVG document, drawn by shields.io's own badge-maker so
 * each box is as wide as its text in Verdana 11px (measured per glyph, not approximated); an empty label collapses.
 */
export function renderBadge(label: string, value: string, color: string): string {
  return makeBadge({ label: cleanLabel(label), message: cleanLabel(value), color, style: 'flat' });
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
