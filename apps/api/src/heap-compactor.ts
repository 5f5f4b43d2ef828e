import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';

/** How long the flag stays on waiting for the main thread's next full collection (then off until the next period). */
export const COMPACT_WINDOW_MS = 10_000;

/** Calls `collected(startTime)` after each full (mark-compact) collection of this thread; returns how to stop. */
export type MajorGcObserver = (collected: (startTime: number) => void) => () => void;

/** This thread's full collections, from perf_hooks' `gc` entries. */
export const observeMajorGcs: MajorGcObserver = (collected) => {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)
        collected(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
};

/**
 * Compacts the old generation once per period. V8 gives a page back only when nothing on it survives; it evacuates
 * (compacts) only the most fragmented pages, a few MB per full collection. The runner's garbage dies scattered
 * across pages (each check's objects among long-lived runtimes), so the committed heap climbs ~50 MB above the live
 * one at 10,000 services and stays there (bench: 147 MB committed for 95 MB live). Every `everyMs`, V8's
 * `--compact-on-every-full-gc` is on for the main thread's next full collection (at 10,000 services one runs every
 * ~3 s; the window closes after COMPACT_WINDOW_MS without one): it evacuates every page, and the committed heap falls
 * to the live one (measured: 132 → 90 MB, an ~85–110 ms pause of the main thread once per period; checks run on the
 * probe thread, whose timing it does not touch). The flag is process-wide: a full collection of another thread
 * (probe thread, embedded store: 10–20 MB heaps) inside the window compacts too.
 *
 * The price is the peak: evacuating every page copies the live heap into new pages before the old ones go back, so
 * for that collection the heap holds committed + live (VmHWM at 10,000 services: 289 → 353 MB fresh, 433 → 502 MB
 * with 91 days stored). Not a cap and not a forced collection: it changes how the next collection V8 runs anyway is
 * done.
 */
export class HeapCompactor {
  private timer: NodeJS.Timeout | null = null;
  private window: NodeJS.Timeout | null = null;
  private stopObserving: (() => void) | null = null;
  /** performance.now() when the flag went on; null while off. */
  private armedAt: number | null = null;
  /** Full collections of the main thread that ran with the flag on. */
  compactions = 0;

  constructor(
    private readonly everyMs: number,
    private readonly setFlags: (flags: string) => void = setFlagsFromString,
    private readonly observe: MajorGcObserver = observeMajorGcs,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts the periods (nothing when `everyMs` is 0: off). */
  start(): void {
    if (this.everyMs <= 0 || this.timer !== null) return;
    this.stopObserving = this.observe((startTime) => this.collected(startTime));
    this.timer = setInterval(() => this.arm(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stopObserving?.();
    this.stopObserving = null;
    this.disarm();
  }

  private arm(): void {
    if (this.armedAt !== null) return;
    this.setFlags('--compact-on-every-full-gc');
    this.armedAt = this.now();
    this.window = setTimeout(() => this.disarm(), COMPACT_WINDOW_MS);
    this.window.unref();
  }

  private collected(startTime: number): void {
    // Entries arrive after the collection: one that ran before the flag went on did not compact. (One whose
    // incremental marking had begun before it chose its pages without it too: that period goes without, rarely.)
    if (this.armedAt === null || startTime < this.armedAt) return;
    this.compactions += 1;
    this.disarm();
  }

  private disarm(): void {
    if (this.window !== null) clearTimeout(this.window);
    this.window = null;
    if (this.armedAt === null) return;
    this.armedAt = null;
    this.setFlags('--no-compact-on-every-full-gc');
  }
}
