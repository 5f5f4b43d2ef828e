import { createHash, randomBytes } from 'node:crypto';

/**
 * Ping tokens: `hb.<service id>.<32 random base64url characters>` (192 bits). The service id inside lets any
 * replica record a ping with one conditional write on that service's item, with no lookup table; the server keeps
 * only the SHA-256. At most 99 characters, so it fits one URL path segment (the router allows 100).
 */
const TOKEN = /^hb\.([a-z0-9][a-z0-9_-]{0,62})\.([A-Za-z0-9_-]{32})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newHeartbeatToken(serviceId: string): { token: string; tokenHash: string } {
  const token = `hb.${serviceId}.${randomBytes(24).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}

/** The service a token names and the hash to compare, or null when it is not a token at all. */
export function parseHeartbeatToken(token: string): { serviceId: string; tokenHash: string } | null {
  const match = TOKEN.exec(token);
  return match ? { serviceId: match[1] as string, tokenHash: hashToken(token) } : null;
}

/** The token as logs show it: the service id, never the secret part. */
export function redactHeartbeatToken(token: string): string {
  const match = /^hb\.([a-z0-9][a-z0-9_-]{0,62})\./.exec(token);
  return match ? `hb.${match[1]}.***` : '***';
}
