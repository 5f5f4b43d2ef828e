const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Days before notAfter at which on-call is told, once each (0 = it has expired). */
export const CERT_ALERT_THRESHOLDS = [14, 7, 1, 0] as const;

/** Whole days left before notAfter (negative once expired). */
export function daysLeft(notAfter: number, now: number): number {
  return Math.floor((notAfter - now) / DAY_MS);
}

/** "certificate expires in 3 days" / "… in 5 hours" / "certificate expired 2 days ago". */
export function describeExpiry(notAfter: number, now: number): string {
  const left = notAfter - now;
  if (left <= 0) {
    const ago = Math.floor(-left / DAY_MS);
    return ago === 0 ? 'certificate expired today' : `certificate expired ${ago} day${ago === 1 ? '' : 's'} ago`;
  }
  if (left < DAY_MS) {
    const hours = Math.max(1, Math.floor(left / HOUR_MS));
    return `certificate expires in ${hours} hour${hours === 1 ? '' : 's'}`;
  }
  const days = daysLeft(notAfter, now);
  return `certificate expires in ${days} day${days === 1 ? '' : 's'}`;
}

/** The degraded reason when fewer than `warningDays` days are left, else null. */
export function certificateWarning(notAfter: number, now: number, warningDays: number): string | null {
  return notAfter - now < warningDays * DAY_MS ? describeExpiry(notAfter, now) : null;
}

/** The lowest alert threshold crossed (14, 7, 1 or 0 days), or null while more than 14 days are left. */
export function crossedThreshold(notAfter: number, now: number): number | null {
  let crossed: number | null = null;
  for (const threshold of CERT_ALERT_THRESHOLDS)
    if (notAfter - now < threshold * DAY_MS || (threshold === 0 && notAfter <= now)) crossed = threshold;
  return crossed;
}

/** notAfter of a peer certificate as Node reports it ("Mar  5 12:00:00 2026 GMT"), epoch ms, or null. */
export function notAfterOf(certificate: { valid_to?: string } | null | undefined): number | null {
  const text = certificate?.valid_to;
  if (typeof text !== 'string' || text === '') return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
