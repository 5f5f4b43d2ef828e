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

interface Pending {
  resolve: (result: ProbeResult) => void;
  reject: (error: Error) => void;
  /** Epoch ms after which no answer means the thread is stuck. */
  answerBy: number;
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
 * reports (which could otherwise turn into a false "degraded"). A thread that exits or stops answering fails the
 * checks it held (they are logged, nothing is stored) and is replaced for the next ones.
 */
export class ThreadedProber extends Prober implements OnApplicationShutdown {
  override readonly leadMs = PROBE_LEAD_MS;
  private readonly logger = new Logger('ProbeThread');
  private worker: Worker | null = null;
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  /** Heartbeat checks waiting here for their due time. */
  private readonly waitingHere = new Map<DueWait, (result: ProbeResult) => void>();
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly script: URL,
    private readonly policy: TargetPolicy,
    private readonly heartbeat: Prober,
    private readonly stuckAfterMs = STUCK_AFTER_MS,
  ) {
    super();
    // Started now: loading the probers takes a few hundred ms, which must not fall on the first checks.
    this.thread();
  }

  probe(target: ProbeTarget, at = Date.now(), cancel?: AbortSignal): Promise<ProbeResult> {
    if (cancel?.aborted) return Promise.resolve(cancelled());
    if (target.check.kind === 'heartbeat') return this.here(target, at, cancel);
    if (this.closed) return Promise.reject(new Error('the probe thread is closed'));
    const id = (this.serial += 1);
    return new Promise<ProbeResult>((resolve, reject) => {
      this.pending.set(id, {
        resolve,
        reject,
        answerBy: Math.max(at, Date.now()) + target.timeoutMs + this.stuckAfterMs,
      });
      const worker = this.thread();
      worker.postMessage({ type: 'probe', id, target, at } satisfies ToProbeThread);
      cancel?.addEventListener('abort', () => worker.postMessage({ type: 'cancel', id } satisfies ToProbeThread), {
        once: true,
      });
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

  /** A heartbeat check: its due time waited for here (`whenDue`), then read from the store as in process. */
  private here(target: ProbeTarget, at: number, cancel?: AbortSignal): Promise<ProbeResult> {
    return new Promise<ProbeResult>((resolve, reject) => {
      // Unset while a check already due starts at once, inside whenDue.
      let wait: DueWait | undefined = undefined;
      wait = whenDue(at, () => {
        if (wait) this.waitingHere.delete(wait);
        this.heartbeat.probe(target).then(resolve, reject);
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

  private thread(): Worker {
    if (this.worker) return this.worker;
    const workerData: ProbeThreadData = { allowCidrs: this.policy.allowCidrs };
    const worker = new Worker(this.script, { workerData, name: 'probes' });
    // The HTTP server keeps the process alive, not the probe thread.
    worker.unref();
    worker.on('message', (message: FromProbeThread) => this.answer(message));
    worker.on('error', (error) => this.logger.error(`probe thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.closed) return;
      this.logger.error(`probe thread exited (code ${code}); a new one takes the next checks`);
      this.fail(new Error(`the probe thread exited (code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private answer(message: FromProbeThread): void {
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.type === 'result') entry.resolve(message.result);
    else entry.reject(new Error(message.message));
  }

  /** Rejects every check the thread held. */
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
        this.logger.error('probe thread stopped answering; it is replaced and the checks it held failed');
        this.fail(new Error('the probe thread stopped answering'));
        if (stuck) void stuck.terminate();
        return;
      }
    }, 1000);
    this.watchdog.unref();
  }
}
