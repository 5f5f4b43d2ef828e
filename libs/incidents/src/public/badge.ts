import type { ServiceState } from '@app/contracts';
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

type MakeBadge = (typeof import('badge-maker'))['makeBadge'];

/**
 * Draws flat two-part badges ("label | value") as standalone SVG documents with shields.io's own badge-maker, so
 * each box is as wide as its text in Verdana 11px (measured per glyph, not approximated); an empty label collapses.
 */
export class BadgeRenderer {
  constructor(private readonly makeBadge: MakeBadge) {}

  render(label: string, value: string, color: string): string {
    return this.makeBadge({ label: cleanLabel(label), message: cleanLabel(value), color, style: 'flat' });
  }

  /** "checkout | up" in green, "checkout | down" in red, and so on. */
  status(label: string, state: ServiceState): string {
    const { value, color } = stateBadgeStyle(state);
    return this.render(label, value, color);
  }

  /** "uptime 30d | 99.95%": ≥ 99.9 green, ≥ 99 yellowgreen, ≥ 95 orange, below red; no data grey. */
  uptime(label: string, uptimePercent: number | null): string {
    const noData = uptimePercent === null || !Number.isFinite(uptimePercent);
    return this.render(label, noData ? 'no data' : formatUptime(uptimePercent), uptimeColor(uptimePercent));
  }
}

let loading: Promise<BadgeRenderer> | undefined;

/**
 * The renderer, loading badge-maker on the first call: it parses glyph-width tables of four fonts (~3.6 MB of
 * heap for as long as the process runs) that most installations never use, so it is not imported at boot.
 */
export function loadBadgeRenderer(): Promise<BadgeRenderer> {
  loading ??= import('badge-maker').then(
    ({ makeBadge }) => new BadgeRenderer(makeBadge),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
