function fnv1a(id: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** FNV-1a: a stable per-service phase so checks spread over time instead of all firing on the same second. */
export function phaseOf(id: string, slots: number): number {
  return fnv1a(id) % Math.max(1, slots);
}

const SECOND = 1000;

/**
 * A stable per-service millisecond within the second (0..999, the same on every replica): due times are
 * k·1000 + offsetOf(id), so the services that share a second start spread over it instead of queueing at its
 * first millisecond. Mixed (murmur3's finaliser) so it does not follow the phase (phaseOf is the same hash modulo
 * the number of seconds).
 */
export function offsetOf(id: string): number {
  let hash = fnv1a(id);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % SECOND;
}

/** The first point of the service's grid (k·1000 + offset) at or after `at`. */
function slotAtOrAfter(offset: number, at: number): number {
  return Math.ceil((at - offset) / SECOND) * SECOND + offset;
}

/** The last point of the service's grid at or before `at`. */
function slotAtOrBefore(offset: number, at: number): number {
  return Math.floor((at - offset) / SECOND) * SECOND + offset;
}

/**
 * First due time of a service: right after its last check's slot when we know it (restarts keep the rhythm),
 * otherwise a slot of its grid within the first min(interval, 60 s), spread by id.
 *
 * `startedAt` (boot: the process start) counts that window from the start instead of from `now`, so every first
 * check lands within one interval of the start however long loading took (a boot slower than the window leaves
 * at least one second to spread over). It also brings a rhythm slot that rounding put past start + interval back
 * to the grid point before it, unless that would come within half an interval of the last check.
 */
export function firstDueAt(
  id: string,
  intervalMs: number,
  lastCheckAt: number | null,
  now: number,
  startedAt?: number,
): number {
  const offset = offsetOf(id);
  const nextSlot = slotAtOrAfter(offset, now);
  if (lastCheckAt !== null) {
    const due = slotAtOrAfter(offset, lastCheckAt + intervalMs);
    if (due >= nextSlot) {
      if (startedAt === undefined) return due;
      const latest = slotAtOrBefore(offset, startedAt + intervalMs);
      return due > latest && latest >= nextSlot && latest - lastCheckAt >= intervalMs / 2 ? latest : due;
    }
  }
  const spreadMs = Math.min(intervalMs, 60_000);
  return spreadFrom(
    id,
    nextSlot,
    startedAt === undefined ? spreadMs : Math.min(spreadMs, startedAt + spreadMs - nextSlot),
  );
}

/** A slot of the service's grid from `from` on, spread by id over `windowMs` (at least one second). */
function spreadFrom(id: string, from: number, windowMs: number): number {
  return from + phaseOf(id, Math.max(1, Math.floor(windowMs / SECOND))) * SECOND;
}

/**
 * First due time when the last check is not known yet: after a crash, a service is checked while its recent checks
 * load, and its newest rollup (`newestThrough`, the rhythm `firstDueAt` is given) may be a few checks older than its
 * last check. Any check the crashed run took was before `startedAt`, so a due time at least half an interval after
 * the start keeps the half-interval distance from it that `firstDueAt` keeps from a known last check; the services
 * brought forward by that are spread over the next min(interval, 60 s) / 2, so each is still checked within one
 * interval of the start (a boot slower than that leaves at least one second to spread over, as `firstDueAt`).
 */
export function firstDueAfterUnknownLast(
  id: string,
  intervalMs: number,
  newestRollupThrough: number | null,
  now: number,
  startedAt: number,
): number {
  const due = firstDueAt(id, intervalMs, newestRollupThrough, now, startedAt);
  const floor = startedAt + intervalMs / 2;
  if (due >= floor) return due;
  const offset = offsetOf(id);
  const from = slotAtOrAfter(offset, Math.max(now, floor));
  const spreadMs = Math.min(intervalMs, 60_000) / 2;
  return spreadFrom(id, from, Math.min(spreadMs, floor + spreadMs - from));
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
 * that slot (the rhythm continues). When it has passed (the owner died), one catch-up check right away, and
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
  // The check started just after its due time: the grid point before it + the interval is the owner's next slot.
  const slot = slotAtOrBefore(offsetOf(id), lastCheckAt) + intervalMs;
  if (slot >= now) return { nextDueAt: slot, resumeAt: null };
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
