import { createHash, timingSafeEqual } from 'node:crypto';

export const ADMIN_TOKENS = Symbol('ADMIN_TOKENS');

/**
 * The server knows only SHA-256 hashes of admin tokens. A presented token is hashed and compared with every
 * known hash in constant time (no early exit), so timing reveals neither a prefix nor which hash matched.
 */
export class AdminTokens {
  private readonly hashes: Buffer[];

  constructor(hexHashes: string[]) {
    this.hashes = hexHashes.map((hex) => Buffer.from(hex.toLowerCase(), 'hex'));
  }

  static parse(text: string): AdminTokens {
    return new AdminTokens(
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    );
  }

  /** Returns the token's fingerprint (first 12 hex chars of its hash) when valid, else null. */
  verify(token: string): string | null {
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let match = false;
    for (const hash of this.hashes) match = timingSafeEqual(presented, hash) || match;
    return match ? presented.toString('hex').slice(0, 12) : null;
  }
}
