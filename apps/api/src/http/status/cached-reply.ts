import type { FastifyReply, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
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
 * Like sendCached, in the content coding the client prefers (br, gzip or none). Each coding of a document is
 * compressed at most once, on the first request that wants it, off the event loop (zlib's thread pool), and kept
 * with the document: every later hit sends the same bytes. A new snapshot is a new document, so "once per
 * snapshot change" follows from the document's lifetime. Each coding is its own representation with its own ETag
 * (`"<hash>-br"`), and `Vary: Accept-Encoding` tells caches to key on it.
 */
export async function sendCompressed<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  doc: CachedDocument<T>,
  cacheControl: string,
): Promise<void> {
  const coding = doc.body.length < MIN_COMPRESS_BYTES ? 'identity' : negotiate(request.headers['accept-encoding']);
  const etag = etagOf(doc.etag, coding);
  reply.header('cache-control', cacheControl).header('vary', 'Accept-Encoding').header('etag', etag);
  // Validated before compressing: a 304 never needs the compressed bytes.
  if (noneMatch(request.headers['if-none-match'], etag)) {
    reply.code(304).send();
    return;
  }
  reply.header('content-type', 'application/json; charset=utf-8');
  if (coding === 'identity') {
    reply.send(doc.body);
    return;
  }
  reply.header('content-encoding', coding).send(await encoded(doc, coding));
}

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** Below this a compressed body saves less than its headers cost (and a tiny document is sent as is). */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * Brotli quality 5: on a 1,000-service status document (365 KB) ~4 ms for 11 KB, where 11 takes ~1.4 s for 8 KB
 * (a dynamic document changes every few seconds); gzip at zlib's default level 6, ~1.5 ms for 16 KB.
 */
const BROTLI_QUALITY = 5;
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
const compressedBodies = new WeakMap<object, Partial<Record<'br' | 'gzip', Promise<Buffer>>>>();

/** The document's body in `coding`, compressed on first use and then kept as long as the document lives. */
export function encoded(doc: CachedDocument<unknown>, coding: 'br' | 'gzip'): Promise<Buffer> {
  let codings = compressedBodies.get(doc);
  if (!codings) {
    codings = {};
    compressedBodies.set(doc, codings);
  }
  const kept = codings[coding];
  if (kept) return kept;
  const body =
    coding === 'br'
      ? brotli(doc.body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: doc.body.length,
          },
        })
      : gzipped(doc.body);
  codings[coding] = body;
  // A failed compression is not kept: the next request tries again.
  body.catch(() => {
    if (codings[coding] === body) delete codings[coding];
  });
  return body;
}

/** The ETag of one representation: the identity ETag with the coding inside the quotes (`"abc"` → `"abc-br"`). */
export function etagOf(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

/**
 * The coding to send for an Accept-Encoding header (RFC 9110 §12.5.3): the highest q-value among br and gzip, br
 * on a tie (smaller); `*` stands for any coding not named; q=0 refuses a coding. No header, nothing acceptable, or
 * a header we cannot read: identity (a 406 would help no one; identity is always understood).
 */
export function negotiate(header: string | string[] | undefined): ContentCoding {
  if (header === undefined) return 'identity';
  const weights = new Map<string, number>();
  for (const part of [header].flat().join(',').split(',')) {
    const [rawName, ...parameters] = part.split(';');
    const name = (rawName ?? '').trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    for (const parameter of parameters) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(parameter);
      if (match) q = Number(match[1]);
    }
    // A repeated coding: the most restrictive mention wins.
    const canonical = name === 'x-gzip' ? 'gzip' : name;
    weights.set(canonical, Math.min(q, weights.get(canonical) ?? 1));
  }
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0;
  let best: ContentCoding = 'identity';
  let bestWeight = 0;
  for (const coding of ['br', 'gzip'] as const) {
    const weight = weightOf(coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
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
