import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedDocument } from '@app/monitoring';

/**
 * Cache-Control of the live status documents (/api/status and the Statuspage-compatible /api/v2): browsers keep
 * them at most 5 s, the CDN `seconds` (STATUS_CACHE_SECONDS), and may serve a stale copy while the origin is down.
 */
export function statusCacheControl(seconds: number): string {
  return `public, max-age=${Math.min(seconds, 5)}, s-maxage=${seconds}, stale-while-revalidate=30, stale-if-error=86400`;
}

/** Sends a pre-serialised document with its ETag, answering 304 when the client already has it. */
export function sendCached<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  doc: CachedDocument<T>,
  cacheControl: string,
  contentType = 'application/json; charset=utf-8',
): void {
  reply.header('cache-control', cacheControl).header('etag', doc.etag);
  if (noneMatch(request.headers['if-none-match'], doc.etag)) {
    reply.code(304).send();
    return;
  }
  reply.header('content-type', contentType).send(doc.body);
}

/**
 * If-None-Match with the weak comparison RFC 9110 §13.1.2 prescribes: `W/"x"` matches `"x"`. CDNs and browsers
 * turn strong validators weak after compressing a response, and then send them back in that form.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const ours = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === ours);
}

/**
 * Headers of what other sites embed or read: badges in a README (<img>), the Atom feed in a reader or a widget
 * (fetch). helmet's `Cross-Origin-Resource-Policy: same-origin` would make every browser refuse them on another
 * origin; these are public by design.
 */
export function embeddable(reply: FastifyReply): FastifyReply {
  return reply
    .header('access-control-allow-origin', '*')
    .header('access-control-expose-headers', 'ETag')
    .header('cross-origin-resource-policy', 'cross-origin');
}
