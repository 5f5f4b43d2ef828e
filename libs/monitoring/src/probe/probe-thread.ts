import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';
import { cancelled, type FromProbeThread, type ProbeThreadData, type ToProbeThread } from './probe-thread.protocol.js';
import type { TargetPolicy } from './target-policy.js';
import { whenDue, type DueWait } from './when-due.js';

/**
 * How early the runner hands a check to the thread: enough to ride out the main thread's longest stalls measured
 * (a status-read burst: 55 ms; a 10,000-service boot: several hundred ms). A service edited, paused or removed
 * meanwhile has its waiting check cancelled (MonitorService), so the lead changes nothing a user can see.
 */
export const PROBE_LEAD_MS = 500;

/** A check the thread has not answered this long after its deadline means the thread is stuck: it is replaced. */
export const STUCK_AFTER_MS = 10_000;

/**
 * Threads in a row that end before they are ready (their probers loaded) after which the checks run on the main
 * thread for the rest of the process's life: a thread that cannot start must not stop the monitoring.
 */
export const START_ATTEMPTS = 3;

export interface ThreadedProberOptions {
  /** A held check unanswered this long after its deadline means the thread is stuck. */
  stuckAfterMs?: number;
}

type ProbeMessage = Extract<ToProbeThread, { type: 'probe' }>;

interface Pending {
  message: ProbeMessage;
  cancel: AbortSignal | undefined;
  resolve: (result: ProbeResult) => void;
  reject: (error: Error) => void;
  /** Epoch ms after which no answer means the thread is stuck. */
  answerBy: number;
  /** The thread it was last sent to (each thread gets a check once). */
  sentTo: Worker | null;
}

/**
 * The compiled probe thread next to this module, or null when this module runs from TypeScript sources (Jest),
 * where a worker cannot load it: the in-process probers are used then.
 */
export function probeThreadScript(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./probe-thread.worker.js', import.meta.url) : null;
}

/**
 * Runs HTTP, TCP and DNS checks on a worker thread of their own (heartbeat checks, which read what the API
 * received, stay here). The runner hands each check over up to PROBE_LEAD_MS before it is due; the thread starts
 * it at its due millisecond and measures it on an event loop that serves no requests, so a burst of status reads,
 * a garbage collection or a batch of writes on the main thread neither delays a check nor adds to the latency it
 * reports (which could otherwise turn into a false "degraded"). A thread that exits or stops answering is replaced:
 * the checks it held whose due time had passed fail (they may have started; logged, nothing stored), the others go
 * to the next thread. A thread that ends before it is ready has started none of its checks: they all go to the next
 * thread, and after START_ATTEMPTS such threads in a row every check runs on the main thread (`inProcess`, waited
 * for until its due time) from then on.
 */
export class ThreadedProber extends Prober implements OnApplicationShutdown {
  override readonly leadMs = PROBE_LEAD_MS;
  private readonly logger = new Logger('ProbeThread');
  private worker: Worker | null = null;
  /** The current thread has loaded its probers (said `ready`). */
  private ready = false;
  /** Threads in a row that ended before they were ready. */
  private failedStarts = 0;
  /** The thread could not be started: every check runs on the main thread. */
  private fallenBack = false;
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  /** Heartbeat checks waiting here for their due time. */
  private readonly waitingHere = new Map<DueWait, (result: ProbeResult) => void>();
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;

  private readonly stuckAfterMs: number;

  /**
   * @param inProcess checks on the main thread: heartbeat checks always (they read what the API received), every
   *   kind once the thread could not be started.
   */
  constructor(
    private readonly script: URL,
    private readonly policy: TargetPolicy,
    private readonly inProcess: Prober,
    options: ThreadedProberOptions = {},
  ) {
    super();
    this.stuckAfterMs = options.stuckAfterMs ?? STUCK_AFTER_MS;
    // Started now: loading the probers takes a few hundred ms, which must not fall on the first checks.
    this.thread();
  }

  override get runsOn(): 'main thread' | 'probe thread' {
    return this.fallenBack ? 'main thread' : 'probe thread';
  }

  probe(target: ProbeTarget, at = Date.now(), cancel?: AbortSignal): Promise<ProbeResult> {
    if (cancel?.aborted) return Promise.resolve(cancelled());
    if (target.check.kind === 'heartbeat') return this.here(target, at, cancel);
    if (this.closed) return Promise.reject(new Error('the probe thread is closed'));
    // Started first: a thread that cannot even be created may send the checks here.
    this.thread();
    if (this.fallenBack) return this.here(target, at, cancel);
    const id = (this.serial += 1);
    return new Promise<ProbeResult>((resolve, reject) => {
      const message: ProbeMessage = { type: 'probe', id, target, at };
      const entry: Pending = { message, cancel, resolve, reject, answerBy: 0, sentTo: null };
      this.pending.set(id, entry);
      // To whichever thread holds it by then (a thread that ends before it starts a check hands it to the next).
      cancel?.addEventListener(
        'abort',
        () => this.worker?.postMessage({ type: 'cancel', id } satisfies ToProbeThread),
        {
          once: true,
        },
      );
      this.send([entry]);
      this.watch();
    });
  }

  override cancelWaiting(): void {
    this.worker?.postMessage({ type: 'cancel-waiting' } satisfies ToProbeThread);
    for (const [wait, resolve] of this.waitingHere) if (wait.cancel()) resolve(cancelled());
    this.waitingHere.clear();
  }

  /** Checks the thread holds (waiting or running). */
  get inThread(): number {
    return this.pending.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('the probe thread is closed'));
    if (worker) await worker.terminate();
  }

  /** A check on the main thread (heartbeat, or all after a fallback): its due time waited for here (`whenDue`). */
  private here(target: ProbeTarget, at: number, cancel?: AbortSignal): Promise<ProbeResult> {
    return new Promise<ProbeResult>((resolve, reject) => {
      // Unset while a check already due starts at once, inside whenDue.
      let wait: DueWait | undefined = undefined;
      wait = whenDue(at, () => {
        if (wait) this.waitingHere.delete(wait);
        this.inProcess.probe(target).then(resolve, reject);
      });
      if (!wait.pending) return;
      this.waitingHere.set(wait, resolve);
      cancel?.addEventListener(
        'abort',
        () => {
          if (!wait?.cancel()) return;
          this.waitingHere.delete(wait);
          resolve(cancelled());
        },
        { once: true },
      );
    });
  }

  /** The thread, started when there is none; null once the checks run here. */
  private thread(): Worker | null {
    if (this.worker || this.fallenBack) return this.worker;
    const workerData: ProbeThreadData = { allowCidrs: this.policy.allowCidrs };
    let worker: Worker;
    try {
      worker = new Worker(this.script, { workerData, name: 'probes' });
    } catch (error) {
      this.notStarted(error instanceof Error ? error.message : String(error));
      return this.worker;
    }
    this.worker = worker;
    this.ready = false;
    // The HTTP server keeps the process alive, not the probe thread.
    worker.unref();
    let lastError = '';
    worker.on('message', (message: FromProbeThread) => this.answer(worker, message));
    worker.on('error', (error) => {
      lastError = error.message;
      this.logger.error(`probe thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.closed) return;
      if (!this.ready) {
        this.notStarted(lastError || `exit code ${code}`);
        return;
      }
      this.logger.error(`probe thread exited (code ${code}); a new one takes the next checks`);
      this.lost(new Error(`the probe thread exited (code ${code})`));
    });
    return worker;
  }

  /**
   * A thread ended (or could not be created) before it was ready: none of the checks it held started. They go to
   * the next thread, or after START_ATTEMPTS failures in a row to the main thread, which runs every check from then.
   */
  private notStarted(reason: string): void {
    this.failedStarts += 1;
    this.answerCancelled();
    if (this.failedStarts < START_ATTEMPTS) {
      this.logger.error(`probe thread could not start (${reason}); starting another`);
      this.send([...this.pending.values()]);
      return;
    }
    const held = [...this.pending.values()];
    this.fallenBack = true;
    this.logger.error(
      `probe thread could not start ${this.failedStarts} times (last: ${reason}); checks run on the main thread ` +
        'until the process restarts',
    );
    this.pending.clear();
    for (const { message, cancel, resolve, reject } of held) {
      this.here(message.target, message.at, cancel).then(resolve, reject);
    }
  }

  private answer(worker: Worker, message: FromProbeThread): void {
    if (message.type === 'ready') {
      if (this.worker === worker) {
        this.ready = true;
        this.failedStarts = 0;
      }
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.type === 'result') entry.resolve(message.result);
    else entry.reject(new Error(message.message));
  }

  /** Epoch ms after which no answer to `message` means the thread holding it is stuck. */
  private answerBy(message: ProbeMessage): number {
    return Math.max(message.at, Date.now()) + message.target.timeoutMs + this.stuckAfterMs;
  }

  /**
   * Sends checks none of which has started to the current thread (started when there is none), each to a thread
   * once; the deadline after which no answer means that thread is stuck counts from now.
   */
  private send(entries: Pending[]): void {
    const worker = this.thread();
    // The thread could not be created: notStarted has handed every held check on already.
    if (worker === null) return;
    for (const entry of entries) {
      if (entry.sentTo === worker || this.pending.get(entry.message.id) !== entry) continue;
      entry.sentTo = worker;
      entry.answerBy = this.answerBy(entry.message);
      worker.postMessage(entry.message);
    }
  }

  /** Held checks cancelled meanwhile (an edit, a pause) whose cancel went to a thread that ended: answered here. */
  private answerCancelled(): void {
    for (const [id, entry] of this.pending) {
      if (!entry.cancel?.aborted) continue;
      this.pending.delete(id);
      entry.resolve(cancelled());
    }
  }

  /**
   * The thread ended or hung after it was ready. A check whose due time has passed may have started (and reached
   * its target): it fails (logged by the runner, nothing stored). One still ahead cannot have started — the thread
   * never starts a check before its `at` (`whenDue`) — so it goes to the next thread and runs on time.
   */
  private lost(error: Error): void {
    const now = Date.now();
    for (const [id, entry] of this.pending) {
      if (entry.message.at > now) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
    this.answerCancelled();
    this.send([...this.pending.values()]);
  }

  /** Rejects every check the thread held (shutdown). */
  private fail(error: Error): void {
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const entry of held) entry.reject(error);
  }

  /** While checks are held, looks once a second for one the thread should have answered long ago. */
  private watch(): void {
    if (this.watchdog !== null) return;
    this.watchdog = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.watchdog ?? undefined);
        this.watchdog = null;
        return;
      }
      const now = Date.now();
      for (const entry of this.pending.values()) {
        if (entry.answerBy > now) continue;
        const stuck = this.worker;
        this.worker = null;
        if (stuck && !this.ready) {
          // Still loading its probers: none of its checks started, so it is a start that failed.
          void stuck.terminate();
          this.notStarted('it did not load its probers in time');
          return;
        }
        this.logger.error('probe thread stopped answering; it is replaced and the checks it held that were due failed');
        if (stuck) void stuck.terminate();
        this.lost(new Error('the probe thread stopped answering'));
        return;
      }
    }, 1000);
    this.watchdog.unref();
  }
}
