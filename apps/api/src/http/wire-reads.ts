import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { requestIdFrom } from './request-id.js';

/** What `parseSimpleHead` reads from a request head; the rest of the head is checked and ignored. */
export interface SimpleHead {
  method: 'GET' | 'HEAD';
  /** The request target exactly as sent (origin-form: starts with '/'). */
  target: string;
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  requestId: string | undefined;
  /** `Connection: close` was sent. */
  close: boolean;
}

/**
 * Answers up to this size are copied into one buffer and written with one write (cheaper than a writev of two at
 * the sizes a page of up to a few thousand services has); a larger body is written from its cache, not copied.
 */
export const COPY_LIMIT = 64 * 1024;

/** The answer to a simple head: the status line and headers (without the per-response ones) and the body. */
export interface WireAnswer {
  /** `HTTP/1.1 200 OK\r\n` and `name: value\r\n` lines, built once per representation (cached by the caller). */
  head: string;
  /** The bytes after the head; null for HEAD and 304. */
  body: Buffer | null;
}

/**
 * Answers one simple head, or returns null to hand the connection (and these bytes) to node:http; a promise when
 * the answer needs work first (compressing a new document), during which the connection is not read from.
 */
export type WireResponder = (head: SimpleHead) => WireAnswer | null | Promise<WireAnswer | null>;

/** Heads longer than this go to node:http (its own limit is 16 KiB); a browser's poll is 0.4–1.5 KiB. */
export const MAX_SIMPLE_HEAD = 8 * 1024;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/**
 * Reads `chunk` as exactly one complete HTTP/1.1 GET or HEAD head with nothing after it, or returns null. Only a
 * strict subset of HTTP/1.1 is accepted, so that everything accepted here means the same to node:http; anything
 * else — bytes after the head (pipelining, a body), a head split across reads, another version or method, a
 * body header (Content-Length, Transfer-Encoding), Expect, Upgrade, a Connection option other than `close` /
 * `keep-alive`, a folded or malformed line, a control or non-ASCII byte, a bare CR or LF, no Host or two, two of
 * a header this path reads — is node:http's to parse, answer or refuse.
 */
export function parseSimpleHead(chunk: Buffer): SimpleHead | null {
  const length = chunk.length;
  if (length > MAX_SIMPLE_HEAD || length < 18) return null;
  const text = chunk.toString('latin1');
  // The first empty line ends the chunk: nothing before it is empty, nothing follows it.
  if (text.indexOf('\r\n\r\n') !== length - 4) return null;
  // Printable ASCII, SP and HTAB only; CR only before LF, LF only after CR.
  for (let i = 0; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) continue;
    if (code === 0x09) continue;
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) continue;
    if (code === 0x0a && text.charCodeAt(i - 1) === 0x0d) continue;
    return null;
  }
  const lineEnd = text.indexOf('\r\n');
  let method: 'GET' | 'HEAD';
  let start: number;
  if (text.startsWith('GET ')) {
    method = 'GET';
    start = 4;
  } else if (text.startsWith('HEAD ')) {
    method = 'HEAD';
    start = 5;
  } else {
    return null;
  }
  const space = text.indexOf(' ', start);
  if (space === -1 || space > lineEnd || text.slice(space + 1, lineEnd) !== 'HTTP/1.1') return null;
  const target = text.slice(start, space);
  if (target.charCodeAt(0) !== 0x2f || target.includes('\t')) return null;

  const head: SimpleHead = {
    method,
    target,
    acceptEncoding: undefined,
    ifNoneMatch: undefined,
    requestId: undefined,
    close: false,
  };
  let hosts = 0;
  let connection = false;
  for (let at = lineEnd + 2; at < length - 2;) {
    const end = text.indexOf('\r\n', at);
    const first = text.charCodeAt(at);
    // obs-fold (a line starting with whitespace) is deprecated and refused by some parsers: node:http decides.
    if (first === 0x20 || first === 0x09) return null;
    const colon = text.indexOf(':', at);
    if (colon === -1 || colon >= end || colon === at) return null;
    const name = text.slice(at, colon);
    if (!TOKEN.test(name)) return null;
    const value = () => text.slice(colon + 1, end).replace(OWS, '');
    at = end + 2;
    switch (name.toLowerCase()) {
      case 'host':
        hosts += 1;
        break;
      case 'accept-encoding':
        if (head.acceptEncoding !== undefined) return null;
        head.acceptEncoding = value();
        break;
      case 'if-none-match':
        if (head.ifNoneMatch !== undefined) return null;
        head.ifNoneMatch = value();
        break;
      case 'x-request-id':
        if (head.requestId !== undefined) return null;
        head.requestId = value();
        break;
      case 'connection': {
        if (connection) return null;
        connection = true;
        const option = value().toLowerCase();
        if (option === 'close') head.close = true;
        else if (option !== 'keep-alive') return null;
        break;
      }
      case 'content-length':
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return null;
      default:
        break;
    }
  }
  return hosts === 1 ? head : null;
}

export interface WireReadsOptions {
  /** Whether a new request may be answered here (false once the server is closing). */
  enabled: () => boolean;
  answer: WireResponder;
}

/** A connection WireReads holds: the listeners it put on the socket (removed when it hands the socket over). */
interface Held {
  onData: (chunk: Buffer) => void;
  onTimeout: () => void;
  onEnd: () => void;
  onError: () => void;
  onClose: () => void;
  onDrain: () => void;
  /** Answers written here so far. */
  served: number;
  /** An answer is being prepared (a compression awaited): the socket is paused until it is written. */
  waiting: boolean;
  /** Hand the socket over as soon as the awaited answer is written (the server started closing meanwhile). */
  release: boolean;
  /** The client ended its side while an answer was awaited: end ours once it is written. */
  ended: boolean;
}

/** The socket events WireReads listens to on a held connection, with their listeners. */
function listenersOf(held: Held): [string, (chunk: Buffer) => void][] {
  return [
    ['data', held.onData],
    ['timeout', held.onTimeout],
    ['end', held.onEnd],
    ['error', held.onError],
    ['close', held.onClose],
    ['drain', held.onDrain],
  ];
}

/** The Date header's value, rebuilt at most once a second (what node:http sends). */
let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * What one answer writes: the head (status line, cached headers, per-response lines) and the body copied into one
 * buffer, or — for a body over COPY_LIMIT — the head and the cached body itself, not copied (at 10,000 services a
 * br page is ~110 KB; copying it per answer measured fewer answers a second under a burst, docs/bench.md).
 */
function answerBytes(headText: string, body: Buffer | null): Buffer | [Buffer, Buffer] {
  if (body === null) return Buffer.from(headText, 'latin1');
  if (headText.length + body.length > COPY_LIMIT) return [Buffer.from(headText, 'latin1'), body];
  const bytes = Buffer.allocUnsafe(headText.length + body.length);
  bytes.write(headText, 0, 'latin1');
  body.copy(bytes, headText.length);
  return bytes;
}

/**
 * The hot public reads answered on the socket, in front of node:http (issue 17: Node's HTTP server alone cost
 * ~0.6× of nginx's CPU per request with the API's headers; a precomputed head written to the socket ~1.0×).
 *
 * Each connection starts here. A read of exactly one complete simple head (`parseSimpleHead`) that `answer` can
 * answer gets the response written at once — the head precomputed per representation plus the per-response
 * X-Request-Id, Date, Connection and Keep-Alive lines node:http would add — and the connection stays here for its
 * next request. The first read that is anything else is put back (`unshift`) and the socket is handed to
 * node:http's own connection listener, for good: from that byte on node:http parses, times out, limits and
 * answers as if it had had the connection from the start (Fastify, Nest, errors). Since no byte is ever consumed
 * here without being a whole request answered here, the two parsers never disagree about where a request begins.
 *
 * What node:http enforces on its connections, kept on those held here: a new connection that sends no complete
 * head within the headers timeout gets node:http's 408 (through the server's `clientError`, so Fastify writes it);
 * between requests the keep-alive timeout closes it; `Connection: close` closes after the answer; a client that
 * does not read its answers is not read from; when the server closes, connections between requests are destroyed
 * as node:http's `closeIdleConnections` destroys its own and the others are handed over (`releaseAll`). A head that
 * arrives in pieces goes to node:http at its first piece, whose clocks then run. Per-address connection limits are
 * a `connection` listener of the server (connection-limits.ts) and see every socket.
 */
export class WireReads {
  /** Connections held here (not yet handed to node:http). */
  private readonly held = new Map<Socket, Held>();
  private readonly nodeListeners: ((socket: Socket) => void)[];

  constructor(
    private readonly server: Server,
    private readonly options: WireReadsOptions,
  ) {
    // node:http's connection listener (and any other listener already there) gets the sockets we hand over.
    this.nodeListeners = server.listeners('connection') as ((socket: Socket) => void)[];
    server.removeAllListeners('connection');
    server.prependListener('connection', (socket: Socket) => this.accept(socket));
  }

  /** How many connections are held here now. */
  get connections(): number {
    return this.held.size;
  }

  /**
   * Hands every connection held here to node:http (the server is closing): node:http then has exactly the
   * connections it would have had without this class, and closes them as it closes its own.
   */
  releaseAll(): void {
    for (const [socket, held] of [...this.held]) {
      // Waiting for its answer: closed once the answer is written.
      if (held.waiting) held.release = true;
      // Between requests: what node:http's closeIdleConnections does to its own.
      else if (held.served > 0) {
        this.held.delete(socket);
        socket.destroy();
      }
      // No request yet: node:http counts such a connection as active (its headers timeout runs), not idle.
      else this.handOver(socket, null, held);
    }
  }

  private accept(socket: Socket): void {
    if (!this.options.enabled() || (this.server.maxRequestsPerSocket ?? 0) > 0 || socket.destroyed) {
      this.handOver(socket, null, null);
      return;
    }
    const held: Held = {
      onData: (chunk) => this.read(socket, held, chunk),
      onTimeout: () => this.timedOut(socket, held),
      onEnd: () => {
        if (held.waiting) held.ended = true;
        else socket.end();
      },
      onError: () => socket.destroy(),
      onClose: () => this.held.delete(socket),
      onDrain: () => {
        if (!held.waiting) socket.resume();
      },
      served: 0,
      waiting: false,
      release: false,
      ended: false,
    };
    this.held.set(socket, held);
    for (const [event, listener] of listenersOf(held)) socket.on(event, listener);
    // node:http's limit before the first request: a new connection counts as a request started (its headers
    // timeout runs from the connection), else the socket's idle timeout.
    const first = this.server.headersTimeout || this.server.requestTimeout || this.server.timeout;
    if (first > 0) socket.setTimeout(first);
  }

  /** What node:http does when the headers timeout expires (a 408 through `clientError`), or an idle close. */
  private timedOut(socket: Socket, held: Held): void {
    if (held.served > 0 || held.waiting || !(this.server.headersTimeout || this.server.requestTimeout)) {
      socket.destroy();
      return;
    }
    this.handOver(socket, null, held);
    const error = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    if (!this.server.emit('clientError', error, socket)) {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      socket.destroySoon();
    }
  }

  private read(socket: Socket, held: Held, chunk: Buffer): void {
    if (!this.options.enabled()) {
      this.handOver(socket, chunk, held);
      return;
    }
    const head = parseSimpleHead(chunk);
    let answer: ReturnType<WireResponder> = null;
    try {
      answer = head === null ? null : this.options.answer(head);
    } catch {
      // Nothing written: node:http and Fastify answer (in the API's error shape, logged as a 5xx).
      answer = null;
    }
    if (head === null || answer === null) {
      this.handOver(socket, chunk, held);
    } else if ('then' in answer) {
      // (Not `instanceof Promise`: a promise from another realm, e.g. a test's, is one too.)
      // Not read from until this answer is written, so answers keep the order of requests.
      held.waiting = true;
      socket.pause();
      answer.then(
        (ready) => this.answered(socket, held, chunk, head, ready),
        () => this.answered(socket, held, chunk, head, null),
      );
    } else {
      this.write(socket, head, answer, held);
    }
  }

  /** An awaited answer is ready (or null: node:http answers these bytes after all). */
  private answered(socket: Socket, held: Held, chunk: Buffer, head: SimpleHead, answer: WireAnswer | null): void {
    held.waiting = false;
    if (socket.destroyed || this.held.get(socket) !== held) return;
    if (answer === null || !this.options.enabled()) {
      this.handOver(socket, chunk, held);
      return;
    }
    this.write(socket, head, answer, held);
    if (held.ended || held.release) socket.end();
    else if (!socket.writableNeedDrain) socket.resume();
  }

  private write(socket: Socket, head: SimpleHead, answer: WireAnswer, held: Held): void {
    const id = requestIdFrom(head.requestId);
    const keepAlive = this.server.keepAliveTimeout;
    const tail = head.close
      ? `x-request-id: ${id}\r\nDate: ${httpDate()}\r\nConnection: close\r\n\r\n`
      : keepAlive > 0
        ? `x-request-id: ${id}\r\nDate: ${httpDate()}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAlive / 1000)}\r\n\r\n`
        : `x-request-id: ${id}\r\nDate: ${httpDate()}\r\nConnection: keep-alive\r\n\r\n`;
    const bytes = answerBytes(answer.head + tail, answer.body);
    held.served += 1;
    // Head and a large body: corked, so they go out in one writev.
    const parts = Array.isArray(bytes);
    if (parts) {
      socket.cork();
      socket.write(bytes[0]);
    }
    const last = parts ? bytes[1] : bytes;
    if (head.close) {
      socket.end(last); // (end uncorks)
      return;
    }
    const writable = socket.write(last);
    if (parts) socket.uncork();
    // A client that does not read its answers is not read from until they are gone (as node:http does).
    if (!writable) socket.pause();
    // node:http's idle limit between requests.
    if (held.served === 1) socket.setTimeout(keepAlive > 0 ? keepAlive : this.server.timeout);
  }

  private handOver(socket: Socket, chunk: Buffer | null, held: Held | null): void {
    if (held !== null) {
      for (const [event, listener] of listenersOf(held)) socket.removeListener(event, listener);
      this.held.delete(socket);
      socket.setTimeout(0);
    }
    if (chunk !== null) socket.unshift(chunk);
    for (const listener of this.nodeListeners) listener.call(this.server, socket);
    // Paused for backpressure or an awaited answer here: node:http applies its own from now on.
    if (socket.isPaused()) socket.resume();
  }
}
