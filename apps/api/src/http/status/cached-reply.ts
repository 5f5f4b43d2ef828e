import type { FastifyReply, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { CachedDocument } from '@app/monitoring';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

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
  contentType = JSON_CONTENT_TYPE,
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
 * (`"<hash>-br"`), and `Vary: Accept-Encoding` tells caches to key on it. The fast path (fast-reads.ts) answers
 * the same representations from the Node listener; `chooseRepresentation` is the one rule both follow.
 */
export async function sendCompressed<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  doc: CachedDocument<T>,
  cacheControl: string,
): Promise<void> {
  const { coding, etag, notModified } = chooseRepresentation(
    doc,
    request.headers['accept-encoding'],
    request.headers['if-none-match'],
  );
  // Added to, not replacing, a Vary already set (CORS sets `Vary: Origin` when CORS_ORIGINS is configured).
  const vary = reply.getHeader('vary');
  reply
    .header('cache-control', cacheControl)
    .header('vary', vary === undefined ? 'Accept-Encoding' : `${String(vary)}, Accept-Encoding`)
    .header('etag', etag);
  // Validated before compressing: a 304 never needs the compressed bytes.
  if (notModified) {
    reply.code(304).send();
    return;
  }
  reply.header('content-type', JSON_CONTENT_TYPE);
  if (coding === 'identity') {
    reply.send(doc.body);
    return;
  }
  reply.header('content-encoding', coding).send(await encoded(doc, coding));
}

/** Which representation of `doc` a request gets: its coding, that coding's ETag, and whether the client has it. */
export function chooseRepresentation(
  doc: CachedDocument<unknown>,
  acceptEncoding: string | string[] | undefined,
  ifNoneMatch: string | undefined,
): { coding: ContentCoding; etag: string; notModified: boolean } {
  const coding = doc.body.length < MIN_COMPRESS_BYTES ? 'identity' : negotiate(acceptEncoding);
  const etag = etagOf(doc.etag, coding);
  return { coding, etag, notModified: noneMatch(ifNoneMatch, etag) };
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
/** A coding of a document: the compression under way, then its bytes once it has finished. */
interface Encoding {
  pending: Promise<Buffer>;
  bytes: Buffer | null;
}
const compressedBodies = new WeakMap<object, Partial<Record<'br' | 'gzip', Encoding>>>();

/** The document's body in `coding`, compressed on first use and then kept as long as the document lives. */
export function encoded(doc: CachedDocument<unknown>, coding: 'br' | 'gzip'): Promise<Buffer> {
  let codings = compressedBodies.get(doc);
  if (!codings) {
    codings = {};
    compressedBodies.set(doc, codings);
  }
  const kept = codings[coding];
  if (kept) return kept.pending;
  const pending =
    coding === 'br'
      ? brotli(doc.body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: doc.body.length,
          },
        })
      : gzipped(doc.body);
  const entry: Encoding = { pending, bytes: null };
  const entries = codings;
  entries[coding] = entry;
  pending.then(
    (bytes) => {
      entry.bytes = bytes;
    },
    // A failed compression is not kept: the next request tries again.
    () => {
      if (entries[coding] === entry) delete entries[coding];
    },
  );
  return pending;
}

/** The document's bytes in `coding` if they are ready now (this starts no compression), else null. */
export function encodedNow(doc: CachedDocument<unknown>, coding: 'br' | 'gzip'): Buffer | null {
  return compressedBodies.get(doc)?.[coding]?.bytes ?? null;
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
  if (typeof header !== 'string') return parseAcceptEncoding(header);
  // Browsers send a handful of distinct headers: each is parsed once (the cache is bounded against hostile variety).
  let coding = negotiated.get(header);
  if (coding === undefined) {
    coding = parseAcceptEncoding(header);
    if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear();
    negotiated.set(header, coding);
  }
  return coding;
}

const NEGOTIATED_MAX = 256;
const negotiated = new Map<string, ContentCoding>();

function parseAcceptEncoding(header: string | string[]): ContentCoding {
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
export const EMBEDDABLE_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'ETag',
  'cross-origin-resource-policy': 'cross-origin',
};

export function embeddable(reply: FastifyReply): FastifyReply {
  return reply.headers(EMBEDDABLE_HEADERS);
}
