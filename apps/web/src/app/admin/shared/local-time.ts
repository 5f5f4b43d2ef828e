/*
 * Maintenance times are typed in the admin's own time zone (<input type="datetime-local">) and sent to the API as
 * UTC ISO-8601; both are shown so nobody has to convert in their head at 3 a.m.
 */

const LOCAL_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

const pad = (value: number) => String(value).padStart(2, '0');

/** "2026-12-01T03:00" (local wall time) → "2026-12-01T02:00:00.000Z"; null when not a complete local date-time. */
export function localInputToIso(value: string): string | null {
  if (!LOCAL_INPUT.test(value)) return null;
  // A date-time without an offset is local time (ECMAScript Date Time String Format).
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** The value for a datetime-local input showing this instant in the local zone. */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** "UTC+01:00" for the local zone at that instant (offsets change with daylight saving time). */
export function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const absolute = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** "Europe/Berlin (UTC+01:00)": the zone the form's times are in. */
export function describeZone(date = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone ? `${zone} (${utcOffset(date)})` : utcOffset(date);
}

/** "2026-12-01 02:00 UTC" */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

const localFormat = new Intl.DateTimeFormat('en', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** "Tue, Dec 1, 2026, 03:00 GMT+1" in the local zone. */
export function formatLocal(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : localFormat.format(date);
}

/** The next full hour after `now` (a sensible default start for a new window). */
export function nextFullHour(now: number): Date {
  const date = new Date(now);
  date.setMinutes(0, 0, 0);
  date.setHours(date.getHours() + 1);
  return date;
}

const clockFormat = new Intl.DateTimeFormat('en', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "14:03:22" in the local zone (e.g. when a Retry-After wait ends). */
export function formatClockTime(epochMs: number): string {
  return clockFormat.format(epochMs);
}
