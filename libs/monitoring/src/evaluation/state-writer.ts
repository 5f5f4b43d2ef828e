import type { Logger } from '@nestjs/common';
import type { StateAndRollupStore } from '../ports.js';
import type { EvaluationState } from './evaluate.js';
import { InFlightLimit, WRITES_PER_TURN, inTurns } from '../scheduling/in-turns.js';

/** What the writer persists: a service's id, its evaluation as it is when the write starts, and its epoch. */
export interface EvaluatedService {
  readonly service: { readonly id: string };
  readonly evaluation: EvaluationState;
  /** The fencing epoch this replica works the service under; null when it does not (nothing is written then). */
  readonly epoch: number | null;
}

/**
 * Persists each service's evaluation state (streak counters included, so a restart resumes exactly where it was).
 * A transition is written at once (`saveNow`); a streak change is marked and written by the next `flush`. Writes of
 * one service are chained, never concurrent, and always write the evaluation current when they start; a failed
 * write is logged and retried by the next flush. A write refused for a newer epoch is not retried: `fenced` is
 * told, and the service is someone else's from then on.
 */
export class StateWriter {
  private readonly dirty = new Set<EvaluatedService>();
  private readonly writes = new Map<EvaluatedService, Promise<void>>();
  /** Listed by a flush that still waits for a place in flight: a later flush does not list them again. */
  private readonly queued = new Set<EvaluatedService>();
  /** Flushed writes in flight, over every flush (`WRITES_IN_FLIGHT`): after an outage every service is dirty. */
  private readonly limit = new InFlightLimit();

  constructor(
    private readonly store: StateAndRollupStore,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly fenced: (target: EvaluatedService, epoch: number) => void = () => undefined,
  ) {}

  /** The evaluation changed but not the state: written at the next flush (the runner flushes right after the check). */
  changed(target: EvaluatedService): void {
    this.dirty.add(target);
  }

  /** Queues a write after any write in flight for this service; settles when it is done and never rejects. */
  saveNow(target: EvaluatedService): Promise<void> {
    this.dirty.delete(target);
    const id = target.service.id;
    const write = (this.writes.get(target) ?? Promise.resolve())
      .then(async () => {
        const epoch = target.epoch;
        if (epoch === null) return;
        if (!(await this.store.saveState(id, target.evaluation, epoch))) this.fenced(target, epoch);
      })
      .catch((error: unknown) => {
        this.dirty.add(target);
        this.logger.warn(`saving state of ${id} failed: ${String(error)}`);
      });
    this.writes.set(target, write);
    void write.finally(() => {
      if (this.writes.get(target) === write) this.writes.delete(target);
    });
    return write;
  }

  /** A removed service: its pending change is dropped (a write already in flight still finishes). */
  forget(target: EvaluatedService): void {
    this.dirty.delete(target);
  }

  /**
   * Starts a write for every changed service that has none in flight — a few per turn of the event loop
   * (`inTurns`), so that many changes at once (the first checks after a restart) do not hold up a due check, and at
   * most `WRITES_IN_FLIGHT` at once over all flushes, so that every service changed during a storage outage is not
   * written at once when it ends (the SDK fails requests that wait 3 s for one of its 50 sockets).
   */
  flush(): Promise<void> {
    const listed = [...this.dirty].filter((target) => !this.writes.has(target) && !this.queued.has(target));
    for (const target of listed) this.queued.add(target);
    return inTurns(
      listed,
      (target) => {
        this.queued.delete(target);
        return this.dirty.has(target) && !this.writes.has(target) ? this.saveNow(target) : undefined;
      },
      WRITES_PER_TURN,
      this.limit,
    );
  }

  /** The write in flight for this service, or null when none is. */
  inFlight(target: EvaluatedService): Promise<void> | null {
    return this.writes.get(target) ?? null;
  }

  /** True when the stored state is the one in memory: no write in flight, none failed or waiting for a flush. */
  current(target: EvaluatedService): boolean {
    return !this.dirty.has(target) && !this.writes.has(target);
  }

  /** Flushes, then waits (at most `graceMs`) until no write is in flight. */
  async drain(graceMs: number, only?: (target: EvaluatedService) => boolean): Promise<void> {
    await this.flush();
    const deadline = Date.now() + graceMs;
    const pending = () => [...this.writes].filter(([target]) => !only || only(target)).map(([, write]) => write);
    const waiting = () => [...this.queued].some((target) => !only || only(target));
    while ((pending().length > 0 || waiting()) && Date.now() < deadline) {
      // Always through a timer: with only queued services left (no write in flight to wait for), awaiting an
      // already-settled promise would spin without letting the flush that holds them reach its next turn.
      const tick = new Promise((resolve) => setTimeout(resolve, 10));
      const writes = pending();
      await (writes.length > 0 ? Promise.race([Promise.all(writes), tick]) : tick);
    }
  }
}
