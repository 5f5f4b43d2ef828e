/** FNV-1a: a stable per-service phase so checks spread over time instead of all firing on the same second. */
export function phaseOf(id: string, slots: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % Math.max(1, slots);
}

const SECOND = 1000;

/**
 * First due time of a service: right after its last check's slot when we know it (restarts keep the rhythm),
 * otherwise a whole second within the first min(interval, 60 s), spread by id.
 */
export function firstDueAt(id: string, intervalMs: number, lastCheckAt: number | null, now: number): number {
  const nextSecond = Math.ceil(now / SECOND) * SECOND;
  if (lastCheckAt !== null) {
    const due = Math.ceil((lastCheckAt + intervalMs) / SECOND) * SECOND;
    if (due >= nextSecond) return due;
  }
  const spread = Math.min(intervalMs, 60_000) / SECOND;
  return nextSecond + phaseOf(id, spread) * SECOND;
}

/** Next slot after a dispatch at `now`: fixed rate from the due time, skipping slots that were missed. */
export function advanceDue(dueAt: number, intervalMs: number, now: number): { nextDueAt: number; skipped: number } {
  let next = dueAt + intervalMs;
  let skipped = 0;
  while (next <= now) {
    next += intervalMs;
    skipped += 1;
  }
  return { nextDueAt: next, skipped };
}

/**
 * Due time of a service taken over from another replica. While the previous owner's next slot is still ahead,
 * that slot (the rhythm continues). When it has passed (the owner died), one catch-up check at the next tick, and
 * `resumeAt` = the missed slot, so the check after it returns to the owner's grid. Not spread: the lease bound
 * (checked again within lease + interval) leaves no room, and the concurrency limit already smooths the burst.
 */
export function takeoverDueAt(
  id: string,
  intervalMs: number,
  lastCheckAt: number | null,
  now: number,
): { nextDueAt: number; resumeAt: number | null } {
  if (lastCheckAt === null) return { nextDueAt: firstDueAt(id, intervalMs, null, now), resumeAt: null };
  const nextSecond = Math.ceil(now / SECOND) * SECOND;
  // The check started just after its due second: that second + the interval is the owner's next slot.
  const slot = Math.floor(lastCheckAt / SECOND) * SECOND + intervalMs;
  if (slot >= nextSecond) return { nextDueAt: slot, resumeAt: null };
  return { nextDueAt: now, resumeAt: slot };
}

/**
 * The slot after a catch-up check dispatched at `now`: the next one on the grid through `resumeAt`, but never
 * closer than half an interval (two checks in quick succession would double-count the target).
 */
export function resumeGrid(resumeAt: number, intervalMs: number, now: number): { nextDueAt: number; skipped: number } {
  const next = advanceDue(resumeAt, intervalMs, now);
  return next.nextDueAt - now < intervalMs / 2
    ? { nextDueAt: next.nextDueAt + intervalMs, skipped: next.skipped + 1 }
    : next;
}
