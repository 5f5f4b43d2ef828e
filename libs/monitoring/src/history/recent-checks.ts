import { SERVICE_STATES, type ServiceState } from '@app/contracts';
import type { StoredCheck } from '../ports.js';

/** Numbers kept per check: start, latency, HTTP status (NaN: none), certificate notAfter (NaN: none), flags. */
const STRIDE = 5;
const OK = 1;
const MAINTENANCE = 2;
const STATE_SHIFT = 2;
const UNKNOWN = SERVICE_STATES.indexOf('unknown');

/**
 * One service's newest checks, newest first, at most `capacity` of them — packed as numbers in one array instead
 * of one object per check. A full window of 30 check objects (boxed timestamps and latencies, certificate expiry)
 * measured 5.0–5.3 KB of heap per service; packed it is 1.5 KB (one array of doubles and the newest check), 2.2 KB
 * when the window also holds error texts (bench/memory-recent.mjs: one check in 11 failing). At 10,000 services
 * that is ~30 MB less heap once the window is full (30 minutes at 60 s).
 *
 * The newest check is kept as the object it was pushed as: the snapshot compares it by identity to see that a
 * service has a new check, and reads it on every rebuild. The others are made on demand (the detail page, the
 * history's latency line), which are built at most once per snapshot or minute.
 */
export class RecentChecks implements Iterable<StoredCheck> {
  /**
   * STRIDE numbers per check, a ring: appended oldest first until `capacity`, then trimmed to its exact size and
   * overwritten in place from the oldest (`oldest` is its position). Only numbers ever go in, so V8 keeps it a
   * packed array of doubles on the heap.
   */
  private numbers: number[] = [];
  /** Error and warning per check, at the same positions (two per check); null while no check in it has either. */
  private texts: (string | null)[] | null = null;
  private oldest = 0;
  private newestCheck: StoredCheck | undefined;

  constructor(
    readonly serviceId: string,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity ${capacity}: an integer ≥ 1`);
  }

  /** From a store's answer (newest first), keeping the newest `capacity`. */
  static of(serviceId: string, capacity: number, newestFirst: readonly StoredCheck[]): RecentChecks {
    const recent = new RecentChecks(serviceId, capacity);
    for (let index = Math.min(newestFirst.length, capacity) - 1; index >= 0; index -= 1)
      recent.push(newestFirst[index] as StoredCheck);
    return recent;
  }

  get length(): number {
    return this.numbers.length / STRIDE;
  }

  /** The newest check, the object pushed (undefined when none). */
  get newest(): StoredCheck | undefined {
    return this.newestCheck;
  }

  /** Adds the newest check, replacing the oldest once `capacity` are kept. */
  push(check: StoredCheck): void {
    // A state this version does not know (an item written by a newer one) reads back as `unknown`: these checks
    // are only shown, and a restore must not fail on one of them.
    const known = SERVICE_STATES.indexOf(check.state);
    const state = known < 0 ? UNKNOWN : known;
    const flags = (check.ok ? OK : 0) | (check.maintenance ? MAINTENANCE : 0) | (state << STATE_SHIFT);
    const error = check.error ?? null;
    const warning = check.warning ?? null;
    const full = this.length >= this.capacity;
    if (this.texts === null && (error !== null || warning !== null))
      this.texts = new Array<string | null>(this.length * 2).fill(null);
    let position: number;
    if (full) {
      position = this.oldest;
      this.oldest = (this.oldest + 1) % this.capacity;
    } else {
      position = this.length;
      for (let field = 0; field < STRIDE; field += 1) this.numbers.push(0);
      this.texts?.push(null, null);
      // The array grew with slack; trim it once to its final size (the ring never grows again).
      if (this.length === this.capacity) this.numbers = this.numbers.slice();
    }
    const base = position * STRIDE;
    this.numbers[base] = check.at;
    this.numbers[base + 1] = check.latencyMs;
    this.numbers[base + 2] = check.statusCode ?? NaN;
    this.numbers[base + 3] = check.certificateNotAfter ?? NaN;
    this.numbers[base + 4] = flags;
    if (this.texts !== null) {
      this.texts[position * 2] = error;
      this.texts[position * 2 + 1] = warning;
      if (error === null && warning === null && this.texts.every((text) => text === null)) this.texts = null;
    }
    this.newestCheck = check;
  }

  /** Where the check `index` places back from the newest is kept. */
  private position(index: number): number {
    const length = this.length;
    return (this.oldest + length - 1 - index) % length;
  }

  /** The check `index` places back from the newest (0: the newest, the object pushed). */
  at(index: number): StoredCheck | undefined {
    if (index < 0 || index >= this.length) return undefined;
    if (index === 0) return this.newestCheck;
    const position = this.position(index);
    const base = position * STRIDE;
    const numbers = this.numbers;
    const flags = numbers[base + 4] as number;
    const statusCode = numbers[base + 2] as number;
    const certificateNotAfter = numbers[base + 3] as number;
    const error = this.texts?.[position * 2] ?? null;
    const warning = this.texts?.[position * 2 + 1] ?? null;
    return {
      serviceId: this.serviceId,
      at: numbers[base] as number,
      ok: (flags & OK) !== 0,
      latencyMs: numbers[base + 1] as number,
      ...(Number.isNaN(statusCode) ? {} : { statusCode }),
      ...(error === null ? {} : { error }),
      ...(warning === null ? {} : { warning }),
      ...(Number.isNaN(certificateNotAfter) ? {} : { certificateNotAfter }),
      state: SERVICE_STATES[flags >> STATE_SHIFT] as ServiceState,
      maintenance: (flags & MAINTENANCE) !== 0,
    };
  }

  /** Newest first. */
  *[Symbol.iterator](): Iterator<StoredCheck> {
    for (let index = 0; index < this.length; index += 1) yield this.at(index) as StoredCheck;
  }

  /** Newest first, as objects. */
  toArray(): StoredCheck[] {
    return [...this];
  }

  /** The latency of each check, oldest first; null for a failed one (the history's latency line). */
  latencies(): (number | null)[] {
    const out: (number | null)[] = [];
    for (let index = this.length - 1; index >= 0; index -= 1) {
      const base = this.position(index) * STRIDE;
      out.push(((this.numbers[base + 4] as number) & OK) !== 0 ? (this.numbers[base + 1] as number) : null);
    }
    return out;
  }

  /** The newest check that reported a certificate. */
  newestWithCertificate(): StoredCheck | undefined {
    for (let index = 0; index < this.length; index += 1)
      if (!Number.isNaN(this.numbers[this.position(index) * STRIDE + 3])) return this.at(index);
    return undefined;
  }
}
