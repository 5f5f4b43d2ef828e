import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { CachedDocument } from '@app/monitoring';
import type { EarlyResponder } from './fastify-adapter.js';
import { requestIdOf } from './request-id.js';
import { WireReads, type SimpleHead, type WireResponder } from './wire-reads.js';
import {
  chooseRepresentation,
  encoded,
  encodedNow,
  JSON_CONTENT_TYPE,
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
}

/**
 * The hottest public reads (/api/status, /api/history, /api/v2/summary.json) answered in the Node request
 * listener, before Fastify and Nest: a browser poll or a CDN miss costs a map lookup, the representation choice
 * (cached-reply.ts, the same rule as the Nest route) and one writeHead with a header list precomputed per
 * representation. Profiling /api/status under wrk showed the routing, hooks, guard and reply pipeline costing more
 * CPU than writing the bytes. Everything else — and anything unusual about one of these requests (another method,
 * a query string, a body, a compression not finished yet, an error, a closing server) — goes to Fastify, whose
 * route for the same path stays the reference: test/api/fast-reads.spec.ts proves both answer the same.
 *
 * What the Fastify pipeline adds on these routes, kept here: helmet's headers and X-Request-Id (the same
 * functions), Cache-Control, Vary, ETag, 304s, HEAD. Not needed here: the admin guard (these routes are @Public),
 * the access log (it logs admin requests and 5xx only), CORS (the fast path is off when CORS_ORIGINS is set).
 * Connection limits and slow-client timeouts live in the Node server and apply to both.
 */
export class FastReads {
  /** Responses answered here rather than by Fastify (tests prove the fast path is taken; the bench reports it). */
  served = 0;
  /** Of those, the responses written by the wire path (wire-reads.ts) rather than through node:http. */
  wired = 0;
  private wire: WireReads | null = null;
  /** The serialised status line and headers of each representation's header list. */
  private readonly wireHeads = new WeakMap<readonly string[], string>();
  private readonly routes = new Map<string, Route>();
  private open: boolean;
  /** Whether the documents are the app's own yet (a boot serving a stored page hands every request to Fastify). */
  private ready: () => boolean = () => true;

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
    });
  }

  /**
   * Answers nothing until `ready()` holds (checked per request): before, every request goes to Fastify, whose boot
   * gate serves the stored page and refuses the rest (bootstrap.ts).
   */
  serveOnceReady(ready: () => boolean): void {
    this.ready = ready;
  }

  /**
   * From now on every request goes to Fastify (the server is closing: Fastify answers 503 while it drains), and
   * the connections the wire path holds are handed to node:http, which closes the idle ones as the server closes.
   */
  stop(): void {
    this.open = false;
    this.wire?.releaseAll();
  }

  readonly respond: EarlyResponder = (request, response) => {
    if (!this.open || !this.ready()) return false;
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
    const chosen = this.represent(route, headers['accept-encoding'], headers['if-none-match']);
    // Not compressed yet (the first request after a new snapshot): the Nest route compresses and awaits it.
    if ('pending' in chosen) return false;
    response.writeHead(chosen.body === null ? 304 : 200, [...chosen.list, 'x-request-id', requestIdOf(headers)]);
    if (head || chosen.body === null) response.end();
    else response.end(chosen.body);
    this.served += 1;
    return true;
  }

  /**
   * The answer written on the socket by the wire path (wire-reads.ts): the same representation as `respond`, its
   * status line and headers serialised once per representation. null: node:http (and this class's `respond`, or
   * Fastify) answers instead.
   */
  readonly wireAnswer: WireResponder = (head) => this.wireRepresentation(head, true);

  private wireRepresentation(head: SimpleHead, mayWait: boolean): ReturnType<WireResponder> {
    if (!this.open || !this.ready()) return null;
    const route = this.routes.get(head.target);
    if (route === undefined) return null;
    const chosen = this.represent(route, head.acceptEncoding, head.ifNoneMatch);
    if ('pending' in chosen) {
      // A new document not compressed yet: compress it (once, as the Nest route would) and answer from the bytes,
      // so this keep-alive connection stays here. Still not ready after that (a newer document): node:http.
      return mayWait ? chosen.pending.then(() => this.wireRepresentation(head, false)) : null;
    }
    let text = this.wireHeads.get(chosen.list);
    if (text === undefined) {
      text = chosen.body === null ? 'HTTP/1.1 304 Not Modified\r\n' : 'HTTP/1.1 200 OK\r\n';
      for (let i = 0; i < chosen.list.length; i += 2) text += `${chosen.list[i]}: ${chosen.list[i + 1]}\r\n`;
      this.wireHeads.set(chosen.list, text);
    }
    this.served += 1;
    this.wired += 1;
    return { head: text, body: head.method === 'HEAD' ? null : chosen.body };
  }

  /** Puts the wire path in front of node:http on `server` (before it listens). */
  attach(server: Server): void {
    this.wire = new WireReads(server, { enabled: () => this.open && this.ready(), answer: this.wireAnswer });
  }

  /** The representation for these request headers, or its compression to wait for when not compressed yet. */
  private represent(
    route: Route,
    acceptEncoding: string | undefined,
    ifNoneMatch: string | undefined,
  ): { list: readonly string[]; body: Buffer | null } | { pending: Promise<unknown> } {
    const doc = route.read.document();
    const { coding, etag, notModified } = chooseRepresentation(doc, acceptEncoding, ifNoneMatch);
    let body: Buffer | null = null;
    if (!notModified) {
      body = coding === 'identity' ? doc.body : encodedNow(doc, coding);
      if (body === null && coding !== 'identity') return { pending: encoded(doc, coding) };
    }
    return { list: this.headersOf(route, doc, coding, etag, body), body };
  }

  /** The headers of one representation (200 with `body`, 304 without), built once per document and coding. */
  private headersOf(
    route: Route,
    doc: CachedDocument<unknown>,
    coding: ContentCoding,
    etag: string,
    body: Buffer | null,
  ): readonly string[] {
    let prepared = route.prepared;
    if (prepared.doc !== doc) {
      prepared = { doc, ok: {}, notModified: {} };
      route.prepared = prepared;
    }
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
