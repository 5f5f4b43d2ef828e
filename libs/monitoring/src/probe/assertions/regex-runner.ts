import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RE2JS } from 're2js';

/** Limits of `matches` patterns: what validation accepts. */
export const REGEX_LIMITS = { maxLength: 200 } as const;

export const REGEX_RULE =
  'must be a regular expression in RE2 syntax (no backreferences or lookaround), 1-200 characters';

/** Whether the pattern compiles in RE2 syntax (the engine that will run it); the error text when it does not. */
export function compileError(pattern: string): string | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export type RegexOutcome = 'match' | 'no-match' | 'timeout';

/** Port: runs a `matches` assertion. The worker implementation never blocks the event loop. */
export abstract class RegexRunner {
  /** Searches `input` for `pattern`, giving up (`timeout`) after `budgetMs`. */
  abstract test(pattern: string, input: string, budgetMs: number): Promise<RegexOutcome>;
  abstract close(): Promise<void>;
}

// The worker is plain CommonJS evaluated from this string, so it needs no build step of its own (and runs the same
// under the compiled app and the test runner). re2js is a pure-JS port of RE2: linear in the input, never
// backtracking; the worker and its deadline are the second fence, for patterns whose linear cost is still large.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { RE2JS } = require(workerData.re2js);
const compiled = new Map();
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

/**
 * Runs patterns in one worker thread, one at a time, each with a hard deadline: a pattern that would take too long
 * is abandoned by terminating the worker (a fresh one starts for the next pattern), so an admin's pattern can cost
 * at most its budget of one other core, never the runner's event loop.
 */
export class WorkerRegexRunner extends RegexRunner {
  private worker: Worker | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly re2js = createRequire(import.meta.url).resolve('re2js');
  /** Workers terminated because a pattern ran out of time (for tests and logs). */
  terminated = 0;

  test(pattern: string, input: string, budgetMs: number): Promise<RegexOutcome> {
    const queuedAt = performance.now();
    const run = this.chain.then(() => this.run(pattern, input, budgetMs - (performance.now() - queuedAt)));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private run(pattern: string, input: string, budgetMs: number): Promise<RegexOutcome> {
    if (budgetMs <= 0) return Promise.resolve('timeout');
    const worker = this.ensureWorker();
    const id = (this.serial += 1);
    return new Promise<RegexOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.terminated += 1;
        this.worker = null;
        void worker.terminate();
        resolve('timeout');
      }, budgetMs);
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
      worker.postMessage({ id, pattern, input });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { re2js: this.re2js },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    worker.unref();
    worker.on('message', (message: { id: number; matched?: boolean; error?: string }) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.matched ? 'match' : 'no-match');
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(error);
      }
    });
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
