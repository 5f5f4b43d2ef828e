import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedDocument } from '@app/monitoring';
import { requestIdOf, type EarlyResponder } from './fastify-adapter.js';
import {
  chooseRepresentation,
  encoded,
  encodedNow,
  etagOf,
  JSON_CONTENT_TYPE,
  noneMatch,
  type ContentCoding,
} from './status/cached-reply.js';

/** A hot public read: a document kept in memory and the headers of its route. */
export interface FastRead {
  /** The current document; called on every request, so it must be a cached snapshot, not a build. */
  document: () => CachedDocument<unknown>;
  cacheControl: string;
  /** Headers of this route that add to or replace the shared security headers (e.g. the embeddable set). */
  headers?: Readonly<Record<string, string>>;
}

export interface FastReadsOptions {
  /** The global route prefix with its slashes ('/api/'). */
  prefix: string;
  /** The security headers every response carries (security-headers.ts). */
  securityHeaders: Readonly<Record<string, string>>;
  /** false: every request goes to Fastify (CORS is configured: its headers depend on the Origin). */
  enabled: boolean;
}

/** The flat header lists of one document's representations, built on the first request that needs each. */
interface Prepared {
  doc: CachedDocument<unknown> | null;
  ok: Partial<Record<ContentCoding, readonly string[]>>;
  notModified: Partial<Record<ContentCoding, readonly string[]>>;
}

interface Route {
  read: FastRead;
  /** Security headers merged with the route's own, flat (name, value, name, value…). */
  base: readonly string[];
  prepared: Prepared;
  /** The newest document whose compressed bytes were ready, per coding (sent while a newer one compresses). */
  ready: Partial<Record<'br' | 'gzip', { doc: CachedDocument<unknown>; prepared: Prepared }>>;
}

/**
 * The hottest public reads (/api/status, /api/history, /api/v2/summary.json) answered in the Node request
 * listener, before Fastify and Nest: a browser poll or a CDN miss costs a map lookup, the representation choice
 * (cached-reply.ts, the same rule as the Nest route) and one writeHead with a header list precomputed per
 * representation. Profiling /api/status under wrk showed the routing, hooks, guard and reply pipeline costing more
 * CPU than writing the bytes. Everything else — and anything unusual about one of these requests (another method,
 * a query string, a body, an error, a closing server) — goes to Fastify, whose route for the same path stays the
 * reference: test/api/fast-reads.spec.ts proves both answer the same. One difference by design: while a new
 * snapshot is being compressed (a few ms, several times a second at 1,000 services) the fast path starts that
 * compression and meanwhile sends the previous snapshot's bytes with their own ETag, where the Nest route would
 * wait for the new ones; a reader is then at most one snapshot behind (for the few ms a compression takes), and
 * never gets bytes that do not match their ETag.
 *
 * What the Fastify pipeline adds on these routes, kept here: helmet's headers and X-Request-Id (the same
 * functions), Cache-Control, Vary, ETag, 304s, HEAD. Not needed here: the admin guard (these routes are @Public),
 * the access log (it logs admin requests and 5xx only), CORS (the fast path is off when CORS_ORIGINS is set).
 * Connection limits and slow-client timeouts live in the Node server and apply to both.
 */
export class FastReads {
  /** Responses answered here rather than by Fastify (tests prove the fast path is taken; the bench reports it). */
  served = 0;
  private readonly routes = new Map<string, Route>();
  private open: boolean;

  constructor(private readonly options: FastReadsOptions) {
    this.open = options.enabled;
  }

  /** A fast path that serves nothing (an app built without one, e.g. in unit tests of a module). */
  static disabled(): FastReads {
    return new FastReads({ prefix: '/', securityHeaders: {}, enabled: false });
  }

  get enabled(): boolean {
    return this.open;
  }

  /** Serves GET and HEAD of `prefix + path` (the same path as the controller's @Get) from `read`. */
  serve(path: string, read: FastRead): void {
    const headers = { ...this.options.securityHeaders, ...read.headers };
    this.routes.set(`${this.options.prefix}${path}`, {
      read,
      base: Object.entries(headers).flat(),
      prepared: { doc: null, ok: {}, notModified: {} },
      ready: {},
    });
  }

  /** From now on every request goes to Fastify (the server is closing: Fastify answers 503 while it drains). */
  stop(): void {
    this.open = false;
  }

  readonly respond: EarlyResponder = (request, response) => {
    if (!this.open) return false;
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const route = this.routes.get(request.url ?? '');
    if (route === undefined) return false;
    try {
      return this.answer(route, request, response, method === 'HEAD');
    } catch (error) {
      // Nothing sent yet: Fastify answers instead (in the API's error shape, logged as a 5xx).
      if (!response.headersSent) return false;
      response.destroy(error instanceof Error ? error : undefined);
      return true;
    }
  };

  private answer(route: Route, request: IncomingMessage, response: ServerResponse, head: boolean): boolean {
    const headers = request.headers;
    // A read with a body is Fastify's to parse or refuse.
    if (headers['transfer-encoding'] !== undefined) return false;
    if (headers['content-length'] !== undefined && headers['content-length'] !== '0') return false;
    let doc = route.read.document();
    const ifNoneMatch = headers['if-none-match'];
    const chosen = chooseRepresentation(doc, headers['accept-encoding'], ifNoneMatch);
    const coding = chosen.coding;
    let { etag, notModified } = chosen;
    let prepared = this.preparedFor(route, doc);
    let body: Buffer | null = null;
    if (!notModified) {
      body = coding === 'identity' ? doc.body : encodedNow(doc, coding);
      if (coding !== 'identity') {
        const ready = route.ready[coding];
        if (body !== null && ready?.doc !== doc) route.ready[coding] = { doc, prepared };
        if (body === null) {
          // A new snapshot not compressed yet: start it (once; failures are handled by `encoded`) and send the
          // newest snapshot that is, or let the Nest route wait for it when there is none.
          void encoded(doc, coding).catch(() => undefined);
          if (ready === undefined) return false;
          ({ doc, prepared } = ready);
          etag = etagOf(doc.etag, coding);
          notModified = noneMatch(ifNoneMatch, etag);
          body = notModified ? null : encodedNow(doc, coding);
          if (!notModified && body === null) return false;
        }
      }
    }
    const list = this.headersOf(route, prepared, coding, etag, body);
    response.writeHead(body === null ? 304 : 200, [...list, 'x-request-id', requestIdOf(headers)]);
    if (head || body === null) response.end();
    else response.end(body);
    this.served += 1;
    return true;
  }

  /** The header lists of `doc` (the route keeps those of its current document). */
  private preparedFor(route: Route, doc: CachedDocument<unknown>): Prepared {
    if (route.prepared.doc !== doc) route.prepared = { doc, ok: {}, notModified: {} };
    return route.prepared;
  }

  /** The headers of one representation (200 with `body`, 304 without), built once per document and coding. */
  private headersOf(
    route: Route,
    prepared: Prepared,
    coding: ContentCoding,
    etag: string,
    body: Buffer | null,
  ): readonly string[] {
    const kind = body === null ? prepared.notModified : prepared.ok;
    let list = kind[coding];
    if (list === undefined) {
      // The order and values sendCompressed sets on the Fastify reply.
      const validators = ['cache-control', route.read.cacheControl, 'vary', 'Accept-Encoding', 'etag', etag];
      const content =
        body === null
          ? []
          : [
              'content-type',
              JSON_CONTENT_TYPE,
              ...(coding === 'identity' ? [] : ['content-encoding', coding]),
              'content-length',
              String(body.length),
            ];
      list = [...route.base, ...validators, ...content];
      kind[coding] = list;
    }
    return list;
  }
}
