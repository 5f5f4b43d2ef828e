export const MONITORING_OPTIONS = Symbol('MONITORING_OPTIONS');

/** Tunables of the runner; the app fills them from validated configuration. */
export interface MonitoringOptions {
  /** Checks in flight at once across all services. */
  concurrency: number;
  /** Recent checks kept in memory per service (detail page, sparkline, restart). */
  recentChecks: number;
  /** Flush a day's rollup after this many new checks ... */
  rollupFlushChecks: number;
  /** ... or after this long with unflushed checks. */
  rollupFlushMs: number;
  /** Days of daily bars kept in memory and served. */
  historyDays: number;
  /** Services whose stored state is loaded in parallel at boot. */
  bootConcurrency: number;
  /**
   * Run HTTP, TCP and DNS checks on a worker thread of their own, each started at its due millisecond there
   * (ThreadedProber). Only where the compiled thread exists (not under Jest's TypeScript sources).
   */
  probeThread: boolean;
  /**
   * How often the status page is stored whole for the next boot to serve before its own read is in
   * (StoredPageService; also at a clean stop). 0: never stored, never served.
   */
  storedPageEveryMs: number;
  /**
   * When the process started (ms): the first checks are spread within one interval of it and the boot's copies of
   * the finished days wait for its first minute (MonitorService.open). Unset: `performance.timeOrigin`; tests that
   * run many apps in one process set it to the app's own start.
   */
  startedAt?: number;
}

export const DEFAULT_MONITORING_OPTIONS: MonitoringOptions = {
  concurrency: 256,
  recentChecks: 30,
  rollupFlushChecks: 10,
  rollupFlushMs: 30 * 60_000,
  historyDays: 90,
  bootConcurrency: 16,
  probeThread: true,
  storedPageEveryMs: 5 * 60_000,
};
