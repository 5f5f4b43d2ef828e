import { createHmac, randomBytes } from 'node:crypto';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Confirmation mails one address can be sent per day, whoever asks: a subscribe form must not be a mail bomb. */
export const PER_ADDRESS_PER_DAY = 3;

/** Hits per key in a sliding window, in memory, bounded: idle keys are swept, the oldest evicted past `maxKeys`. */
export class WindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Milliseconds until `key` may be counted again, 0 when it may be now. Counts nothing. */
  retryAfter(key: string, now: number): number {
    const recent = (this.hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    return recent.length < this.limit ? 0 : (recent[0] ?? now) + this.windowMs - now;
  }

  count(key: string, now: number): void {
    const recent = (this.hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (!this.hits.has(key) && this.hits.size >= this.maxKeys) this.sweep(now);
    recent.push(now);
    this.hits.set(key, recent);
  }

  private sweep(now: number): void {
    for (const [key, hits] of this.hits) if (hits.every((at) => now - at >= this.windowMs)) this.hits.delete(key);
    for (const key of this.hits.keys()) {
      if (this.hits.size < this.maxKeys) break;
      this.hits.delete(key);
    }
  }
}

export type SubscribeLimit = 'client' | 'address' | 'page';

/**
 * The abuse limits of POST /api/subscriptions: per client IP (every request, valid or not), per e-mail address (3
 * confirmation mails a day) and for the whole page (each accepted request makes AWS send a mail). Addresses are
 * kept only as an HMAC under a key that lives in this process, for at most a day: no address is stored.
 */
export class SubscribeLimits {
  private readonly clients: WindowCounter;
  private readonly addresses = new WindowCounter(PER_ADDRESS_PER_DAY, DAY);
  private readonly page: WindowCounter;
  private readonly key = randomBytes(32);

  constructor(readonly limits: { perIpPerHour: number; globalPerHour: number }) {
    this.clients = new WindowCounter(limits.perIpPerHour, HOUR);
    this.page = new WindowCounter(limits.globalPerHour, HOUR, 1);
  }

  /** Counts a request from `ip`; the wait in ms when the client is over its limit, else 0. */
  admitClient(ip: string, now = Date.now()): number {
    const wait = this.clients.retryAfter(ip, now);
    if (wait === 0) this.clients.count(ip, now);
    return wait;
  }

  /** Counts a valid subscription against the address and the page; the limit it hit and the wait, or null. */
  admitSubscription(email: string, now = Date.now()): { limit: SubscribeLimit; retryAfterMs: number } | null {
    const address = createHmac('sha256', this.key).update(email.toLowerCase()).digest('base64url');
    const addressWait = this.addresses.retryAfter(address, now);
    if (addressWait > 0) return { limit: 'address', retryAfterMs: addressWait };
    const pageWait = this.page.retryAfter('page', now);
    if (pageWait > 0) return { limit: 'page', retryAfterMs: pageWait };
    this.addresses.count(address, now);
    this.page.count('page', now);
    return null;
  }
}
