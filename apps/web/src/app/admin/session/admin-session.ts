import { computed, DOCUMENT, inject, Injectable, InjectionToken, signal } from '@angular/core';

/**
 * Where the admin token is kept between reloads of the same tab: sessionStorage (cleared when the tab closes), never
 * localStorage or a cookie. `null` (storage blocked) means memory only.
 */
export const ADMIN_TOKEN_STORAGE = new InjectionToken<Storage | null>('ADMIN_TOKEN_STORAGE', {
  providedIn: 'root',
  factory: () => {
    try {
      return inject(DOCUMENT).defaultView?.sessionStorage ?? null;
    } catch {
      return null; // storage disabled by the browser: the token lives in memory only
    }
  },
});

export const TOKEN_KEY = 'cloudops-status.admin-token';

/** A message for the sign-in form: why the admin is (back) there. */
export interface SessionNotice {
  readonly tone: 'info' | 'error';
  readonly text: string;
}

/** First 12 hex characters of the token's SHA-256: the fingerprint the audit log names as the actor. */
export async function tokenFingerprint(token: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return null;
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 12);
}

/** The signed-in admin: the bearer token, its fingerprint, and the API's verdicts on it (401, 429). */
@Injectable({ providedIn: 'root' })
export class AdminSession {
  private readonly storage = inject(ADMIN_TOKEN_STORAGE);
  private readonly tokenSignal = signal<string | null>(this.read());
  private readonly fingerprintSignal = signal<string | null>(null);

  readonly token = this.tokenSignal.asReadonly();
  readonly signedIn = computed(() => this.tokenSignal() !== null);
  /** Audit-log actor of this token, once computed. */
  readonly fingerprint = this.fingerprintSignal.asReadonly();
  readonly notice = signal<SessionNotice | null>(null);
  /** Epoch ms until which the API refuses this address (429 Retry-After), or null. */
  readonly blockedUntil = signal<number | null>(null);
  /** The Retry-After the API sent with that 429. */
  readonly blockedSeconds = signal(0);

  constructor() {
    const token = this.tokenSignal();
    if (token !== null) this.computeFingerprint(token);
  }

  signIn(token: string): void {
    this.tokenSignal.set(token);
    this.notice.set(null);
    this.blockedUntil.set(null);
    try {
      this.storage?.setItem(TOKEN_KEY, token);
    } catch {
      // Quota or privacy mode: stay signed in for this page's life only.
    }
    this.computeFingerprint(token);
  }

  signOut(): void {
    this.clear();
    this.notice.set({ tone: 'info', text: 'You are signed out. The token was removed from this tab.' });
  }

  /** The API answered 401 to a signed-in request: back to sign-in with the server's reason. */
  expire(serverMessage: string): void {
    if (this.tokenSignal() === null) return;
    this.clear();
    this.notice.set({
      tone: 'error',
      text: `Your session ended: the API no longer accepts this admin token (HTTP 401: ${serverMessage}). Sign in again with a valid token.`,
    });
  }

  /** The API answered 429: nothing from this address is accepted for `seconds`. */
  rateLimited(seconds: number, now = Date.now()): void {
    const wait = Math.max(1, Math.ceil(seconds));
    this.blockedSeconds.set(wait);
    this.blockedUntil.set(now + wait * 1000);
  }

  private clear(): void {
    this.tokenSignal.set(null);
    this.fingerprintSignal.set(null);
    try {
      this.storage?.removeItem(TOKEN_KEY);
    } catch {
      // nothing stored
    }
  }

  private read(): string | null {
    try {
      return this.storage?.getItem(TOKEN_KEY) ?? null;
    } catch {
      return null;
    }
  }

  private computeFingerprint(token: string): void {
    tokenFingerprint(token).then(
      (fingerprint) => {
        if (this.tokenSignal() === token) this.fingerprintSignal.set(fingerprint);
      },
      () => undefined, // no WebCrypto (insecure context): the console works without showing the fingerprint
    );
  }
}
