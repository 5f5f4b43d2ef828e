import type { TimerHandle, Timers } from './timers.js';

interface Entry<T> {
  at: number;
  item: T;
}

/**
 * One timer for many due times: a min-heap of (due time, item) with a single one-shot timer armed for the
 * earliest, so an item is handed over at its due millisecond rather than at the next whole-second tick. Entries
 * are never updated in place: a new due time is a new entry, and an entry is skipped when it is no longer the
 * item's latest or `current(item, at)` says it no longer applies (the item was removed, paused, handed over...).
 * With a `lead`, items are handed over that long before their due time (to a prober that starts them at it).
 */
export class DueTimer<T> {
  private heap: Entry<T>[] = [];
  /** The latest due time scheduled per item: older entries of the item in the heap are stale. */
  private readonly latest = new Map<T, number>();
  private armed: { at: number; handle: TimerHandle } | null = null;
  private started = false;
  private stopped = false;

  constructor(
    private readonly timers: Timers,
    private readonly current: (item: T, at: number) => boolean,
    private readonly due: (items: T[], now: number) => void,
    private readonly lead = 0,
  ) {}

  /**
   * Hands `item` to `due` at `at` − lead (unless rescheduled or no longer current by then). No-op when already there.
   */
  schedule(item: T, at: number): void {
    if (this.stopped || this.latest.get(item) === at) return;
    this.latest.set(item, at);
    this.push({ at, item });
    // Stale entries pile up when items are rescheduled often (edits); keep the heap within twice the live ones.
    if (this.heap.length > 2 * this.latest.size + 64) this.compact();
    if (this.started && (this.armed === null || at < this.armed.at)) this.arm();
  }

  /** Arms the timer (nothing fires before this). */
  start(): void {
    if (this.stopped || this.started) return;
    this.started = true;
    this.arm();
  }

  /** Cancels the timer and forgets every entry; nothing fires after this. */
  stop(): void {
    this.stopped = true;
    this.started = false;
    this.disarm();
    this.heap = [];
    this.latest.clear();
  }

  /**
   * Drops the entries at the top that no longer apply and re-arms for the earliest one that does (cancels the
   * timer when none is left). Call after items stopped being current (removed, handed over, dropped).
   */
  arm(): void {
    if (!this.started) return;
    for (let top = this.heap[0]; top !== undefined && !this.live(top); top = this.heap[0]) this.pop();
    const next = this.heap[0];
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.armed?.at === next.at) return;
    this.disarm();
    const at = next.at;
    this.armed = { at, handle: this.timers.after(at - this.lead - this.timers.now(), () => this.fire(at)) };
  }

  /** Entries in the heap, stale ones included (for tests and stats). */
  get size(): number {
    return this.heap.length;
  }

  /** The due time the timer is armed for (it fires `lead` before), or null. */
  get armedAt(): number | null {
    return this.armed?.at ?? null;
  }

  private fire(at: number): void {
    if (this.armed?.at !== at) return;
    this.armed = null;
    const now = this.timers.now();
    const items: T[] = [];
    for (let top = this.heap[0]; top !== undefined && top.at <= now + this.lead; top = this.heap[0]) {
      this.pop();
      if (!this.live(top)) continue;
      this.latest.delete(top.item);
      items.push(top.item);
    }
    if (items.length > 0) this.due(items, now);
    this.arm();
  }

  /** Whether an entry is still to be handed over; forgets an item whose latest entry no longer applies. */
  private live(entry: Entry<T>): boolean {
    if (this.latest.get(entry.item) !== entry.at) return false;
    if (this.current(entry.item, entry.at)) return true;
    this.latest.delete(entry.item);
    return false;
  }

  private disarm(): void {
    this.armed?.handle.cancel();
    this.armed = null;
  }

  private compact(): void {
    const entries = this.heap.filter((entry) => this.latest.get(entry.item) === entry.at);
    this.heap = [];
    for (const entry of entries) this.push(entry);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as Entry<T>).at <= entry.at) break;
      heap[index] = heap[parent] as Entry<T>;
      index = parent;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Entry<T>).at < (heap[left] as Entry<T>).at ? right : left;
      if ((heap[child] as Entry<T>).at >= last.at) break;
      heap[index] = heap[child] as Entry<T>;
      index = child;
    }
    heap[index] = last;
  }
}
