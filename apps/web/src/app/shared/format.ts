import type { ServiceState } from '@app/contracts';

/** "99.95%", "100%", or an em dash when there is no data. */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value >= 100) return '100%';
  return `${(Math.floor(value * 10 ** digits) / 10 ** digits).toFixed(digits)}%`;
}

export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** "updated 12 s ago" style durations. */
export function formatAgo(seconds: number): string {
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

const dayFormat = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * Formatters in the visitor's time zone (the browser's), created on first use: a time zone emulated or changed
 * after load (tests, travel) is picked up by a reload, and nothing is built the page does not show.
 */
const formats = new Map<string, Intl.DateTimeFormat>();
function format(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let formatter = formats.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en', options);
    formats.set(key, formatter);
  }
  return formatter;
}

/** A UTC calendar day ("2026-11-27") as "Nov 27, 2026". */
export function formatDay(isoDate: string): string {
  const time = Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(time) ? isoDate : dayFormat.format(time);
}

/**
 * An instant in the visitor's time zone with the zone named, e.g. "Nov 27, 10:41 GMT+1" ("Nov 27, 10:41:07
 * GMT+1" with seconds).
 */
export function formatTime(iso: string, seconds = false): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return format(seconds ? 'time-s' : 'time', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(time);
}

/** The same instant in UTC, for a title/tooltip: "2026-11-27 09:41:07 UTC". */
export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The visitor's month of an instant, "December 2026" (history is grouped by it). */
export function formatMonth(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : format('month', { month: 'long', year: 'numeric' }).format(time);
}

/** A key that sorts and groups by the visitor's month: "2026-12". */
export function monthKey(iso: string): string {
  const date = new Date(Date.parse(iso));
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`;
}

/** The visitor's time zone, e.g. "Europe/Berlin" (named next to times that need it). */
export function visitorTimeZone(): string {
  return format('zone', {}).resolvedOptions().timeZone;
}

/** A length of time in words, two units at most: "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 s';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

export function stateLabel(state: ServiceState): string {
  switch (state) {
    case 'up':
      return 'Operational';
    case 'degraded':
      return 'Degraded';
    case 'down':
      return 'Down';
    case 'maintenance':
      return 'Maintenance';
    case 'unknown':
      return 'No data';
  }
}

/** A failed check in words, capitalised, with the code operators search for: "Connection refused (ECONNREFUSED)". */
export function failureText(check: { error?: string; reason?: string } | null | undefined): string {
  const code = check?.error;
  const words = check?.reason ?? code;
  if (words === undefined || words === '') return 'Failed';
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return code !== undefined && !words.includes(code) && !/^timeout after/.test(code) ? `${text} (${code})` : text;
}
