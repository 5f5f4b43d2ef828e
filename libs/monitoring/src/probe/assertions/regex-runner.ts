import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { RE2JS as RE2JSClass } from 're2js';

/** Limits of `matches` patterns: what validation accepts. */
export const REGEX_LIMITS = { maxLength: 200 } as const;

export const REGEX_RULE =
  'must be a regular expression in RE2 syntax (no backreferences or lookaround), 1-200 characters';

let re2js: typeof RE2JSClass | undefined;

/**
 * Whether the pattern compiles in RE2 syntax (the engine that will run it); the error text when it does not.
 * re2js (~0.5 MB of heap, its Unicode tables) is required on the first pattern, so a process whose services have
 * no `matches` assertion never loads it: the patterns themselves run in the worker, which loads its own copy.
 */
export function compileError(pattern: string): string | null {
  re2js ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  try {
    re2js.compile(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `timeout`: ran out of its own budget; `deadline`: the probe's deadline came first (while waiting or running). */
export type RegexOutcome = 'match' | 'no-match' | 'timeout' | 'deadline';

/** Port: runs a `matches` assertion. The worker implementation never blocks the event loop. */
export abstract class RegexRunner {
  /**
   * Searches `input` for `pattern`, giving up (`timeout`) after `budgetMs` of running, or when `deadline`
   * (performance.now() time, the probe's) passes first — also while it waits for its turn. Without a deadline
   * only the budget counts, from when the pattern starts running (never while its worker starts).
   */
  abstract test(pattern: string, input: string, budgetMs: number, deadline?: number): Promise<RegexOutcome>;
  abstract close(): Promise<void>;
}

// The worker is plain CommonJS evaluated from this string, so it needs no build step of its own (and runs the same
// under the compiled app and the test runner). re2js is a pure-JS port of RE2: linear in the input, never
// backtracking; the worker and its deadline are the second fence, for patterns whose linear cost is still large.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS } = require(workerData.re2js);
const compiled = new Map();
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, pattern, input }) => {
  try {
    let re = compiled.get(pattern);
    if (re === undefined) {
      if (compiled.size >= 256) compiled.clear();
      re = RE2JS.compile(pattern);
      compiled.set(pattern, re);
    }
    parentPort.postMessage({ id, matched: re.matcher(input).find() });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Pending {
  resolve: (outcome: RegexOutcome) => void;
  reject: (error: Error) => void;
}

interface RunningWorker {
  worker: Worker;
  /** Settles once re2js is loaded: a pattern's clock starts then, never during the worker's start-up. */
  ready: Promise<void>;
}

/** Patterns remembered as slow (they ran out of budget once): at most this many. */
const MAX_SLOW_PATTERNS = 1000;

/**
 * Runs patterns in worker threads, one at a time per lane, each with a hard deadline: a pattern that would take
 * too long is abandoned by terminating its worker (a fresh one starts for the next pattern), so an admin's
 * pattern can cost at most its budget of another core, never the runner's event loop. A pattern that ran out of
 * time once moves to a lane of its own, so the other services' patterns never queue behind it again.
 */
export class WorkerRegexRunner extends RegexRunner {
  private readonly fast = new RegexLane(this);
  private readonly slow = new RegexLane(this);
  private readonly slowPatterns = new Set<string>();
  readonly re2js = createRequire(import.meta.url).resolve('re2js');
  /** Workers terminated because a pattern ran out of time (for tests and logs). */
  terminated = 0;

  async test(
    pattern: string,
    input: string,
    budgetMs: number,
    deadline = Number.POSITIVE_INFINITY,
  ): Promise<RegexOutcome> {
    const lane = this.slowPatterns.has(pattern) ? this.slow : this.fast;
    const outcome = await lane.test(pattern, input, budgetMs, deadline);
    if (outcome === 'timeout' && lane === this.fast) {
      if (this.slowPatterns.size >= MAX_SLOW_PATTERNS) this.slowPatterns.clear();
      this.slowPatterns.add(pattern);
    }
    return outcome;
  }

  async close(): Promise<void> {
    await Promise.all([this.fast.close(), this.slow.close()]);
  }
}

/** One worker and the queue of patterns waiting for it. */
class RegexLane {
  private running: RunningWorker | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private serial = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly owner: WorkerRegexRunner) {}

  test(pattern: string, input: string, budgetMs: number, deadline: number): Promise<RegexOutcome> {
    const run = this.chain.then(() => this.run(pattern, input, budgetMs, deadline));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(pattern: string, input: string, budgetMs: number, deadline: number): Promise<RegexOutcome> {
    if (deadline - performance.now() <= 0) return 'deadline';
    const running = this.ensureWorker();
    await running.ready;
    const left = deadline - performance.now();
    if (left <= 0) return 'deadline';
    const allowed = Math.min(budgetMs, left);
    const id = (this.serial += 1);
    return new Promise<RegexOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.owner.terminated += 1;
        if (this.running === running) this.running = null;
        void running.worker.terminate();
        resolve(allowed < budgetMs ? 'deadline' : 'timeout');
      }, allowed);
      this.pending.set(id, {
        resolve: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      running.worker.postMessage({ id, pattern, input });
    });
  }

  private ensureWorker(): RunningWorker {
    if (this.running) return this.running;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { re2js: this.owner.re2js },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    let markReady: () => void = () => undefined;
    let failStart: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    worker.on('message', (message: { id?: number; ready?: true; matched?: boolean; error?: string }) => {
      if (message.ready) return markReady();
      const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiter || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.matched ? 'match' : 'no-match');
    });
    worker.on('error', (error) => {
      if (this.running?.worker === worker) this.running = null;
      failStart(error);
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(error);
      }
    });
    this.running = { worker, ready };
    return this.running;
  }

  async close(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (running) await running.worker.terminate();
  }
}
