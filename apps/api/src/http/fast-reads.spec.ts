import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync } from 'node:zlib';
import type { CachedDocument } from '@app/monitoring';
import { FastReads } from './fast-reads.js';
import { encoded } from './status/cached-reply.js';

function doc(text: string): CachedDocument<unknown> {
  const body = Buffer.from(text);
  return { data: null, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"`, builtAt: 0 };
}

const BIG = JSON.stringify({ services: Array.from({ length: 200 }, (_, i) => ({ id: `svc-${i}`, ok: true })) });
const SECURITY = { 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * FastReads in front of a stand-in for Fastify on a real socket: whatever the fast path hands on is answered
 * 599 by the fallback, so every test sees which side answered. Twice: answered in node:http's request listener
 * (`respond`), and on the socket in front of node:http (`attach`, wire-reads.ts) — the same answers.
 */
describe.each(['request listener', 'wire'] as const)(
  'FastReads (the hot reads answered before Fastify), %s',
  (mode) => {
    let server: Server;
    let port: number;
    let fast: FastReads;
    let current: CachedDocument<unknown>;
    let failing = false;

    beforeEach(async () => {
      fast = new FastReads({ prefix: '/api/', securityHeaders: SECURITY, enabled: true });
      current = doc(BIG);
      failing = false;
      fast.serve('status', {
        document: () => {
          if (failing) throw new Error('snapshot unavailable');
          return current;
        },
        cacheControl: 'public, max-age=5',
      });
      fast.serve('v2/summary.json', {
        document: () => doc('{"small":true}'),
        cacheControl: 'public, max-age=5',
        headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
      });
      server = createServer((request, response) => {
        if (fast.respond(request, response)) return;
        response.writeHead(599).end('fallback');
      });
      if (mode === 'wire') fast.attach(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
      new Promise<Answer>((resolve, reject) => {
        const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
          );
        });
        outgoing.on('error', reject);
        outgoing.end(body);
      });

    it('answers GET with the identity bytes, the security headers, the validators and a request id', async () => {
      const answer = await send('GET', '/api/status');
      expect(answer.status).toBe(200);
      expect(answer.body.equals(current.body)).toBe(true);
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-origin',
        'cache-control': 'public, max-age=5',
        vary: 'Accept-Encoding',
        etag: current.etag,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(current.body.length),
      });
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.headers['x-request-id']).toMatch(UUID);
      expect(fast.served).toBe(1);
      expect(fast.wired).toBe(mode === 'wire' ? 1 : 0);
    });

    it('keeps a well-formed X-Request-Id and replaces a malformed one', async () => {
      const kept = await send('GET', '/api/status', { 'x-request-id': 'trace-1234:abc' });
      const replaced = await send('GET', '/api/status', { 'x-request-id': 'bad id with spaces' });
      expect(kept.headers['x-request-id']).toBe('trace-1234:abc');
      expect(replaced.headers['x-request-id']).toMatch(UUID);
    });

    it('hands the first br request of a new document to Fastify (which compresses) and serves the bytes after; the wire path compresses and waits', async () => {
      // The wire path keeps the connection: it waits for the compression instead of handing the request on.
      const fresh = mode === 'wire' ? 200 : 599;
      const first = await send('GET', '/api/status', { 'accept-encoding': 'br' });
      expect(first.status).toBe(fresh);
      if (mode === 'wire') expect(brotliDecompressSync(first.body).equals(current.body)).toBe(true);
      await encoded(current, 'br');
      const second = await send('GET', '/api/status', { 'accept-encoding': 'br' });
      expect(second.status).toBe(200);
      expect(second.headers['content-encoding']).toBe('br');
      expect(second.headers.etag).toBe(`${current.etag.slice(0, -1)}-br"`);
      expect(brotliDecompressSync(second.body).equals(current.body)).toBe(true);
      // A new snapshot is a new document: its compression is not ready, so Fastify again (or the wire path waits).
      current = doc(BIG.replace('svc-0', 'svc-X'));
      const next = await send('GET', '/api/status', { 'accept-encoding': 'br' });
      expect(next.status).toBe(fresh);
      if (mode === 'wire') expect(brotliDecompressSync(next.body).equals(current.body)).toBe(true);
    });

    it('answers HEAD with the headers of GET (Content-Length included) and no body', async () => {
      const answer = await send('HEAD', '/api/status');
      expect(answer.status).toBe(200);
      expect(answer.headers['content-length']).toBe(String(current.body.length));
      expect(answer.body.length).toBe(0);
    });

    it('answers 304 to the ETag of the representation, weak or strong, without content headers', async () => {
      for (const header of [current.etag, `W/${current.etag}`, `"other", ${current.etag}`]) {
        const answer = await send('GET', '/api/status', { 'if-none-match': header });
        expect({ header, status: answer.status, etag: answer.headers.etag, length: answer.body.length }).toEqual({
          header,
          status: 304,
          etag: current.etag,
          length: 0,
        });
        expect(answer.headers['content-type']).toBeUndefined();
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      }
      // Holding the identity copy does not validate the br representation.
      await encoded(current, 'br');
      const other = await send('GET', '/api/status', { 'accept-encoding': 'br', 'if-none-match': current.etag });
      expect(other.status).toBe(200);
    });

    it("adds a route's own headers over the shared ones and sends a small document as is", async () => {
      const answer = await send('GET', '/api/v2/summary.json', { 'accept-encoding': 'br' });
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('{"small":true}');
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    });

    it.each([
      ['another method', 'POST', '/api/status', {}, undefined],
      ['a query string', 'GET', '/api/status?fresh=1', {}, undefined],
      ['a trailing slash', 'GET', '/api/status/', {}, undefined],
      ['an unknown path', 'GET', '/api/services/a', {}, undefined],
      ['a body', 'GET', '/api/status', { 'content-type': 'application/json', 'content-length': '2' }, '{}'],
      ['a chunked body', 'GET', '/api/status', { 'transfer-encoding': 'chunked' }, '{}'],
    ])('hands %s to Fastify', async (_case, method, path, headers, body) => {
      const answer = await send(method, path, headers, body);
      expect(answer.status).toBe(599);
      expect(fast.served).toBe(0);
    });

    it('hands the request to Fastify when the document cannot be read (Fastify answers the error)', async () => {
      failing = true;
      expect((await send('GET', '/api/status')).status).toBe(599);
    });

    it('serves nothing once stopped (a closing server) or when built disabled', async () => {
      // (Connection: close: stopping closes the wire path's connections between requests, as the server's close
      // does with idle ones; a reused keep-alive socket would race that.)
      expect((await send('GET', '/api/status', { connection: 'close' })).status).toBe(200);
      fast.stop();
      expect(fast.enabled).toBe(false);
      expect((await send('GET', '/api/status')).status).toBe(599);
      const off = FastReads.disabled();
      off.serve('status', { document: () => current, cacheControl: 'x' });
      expect(off.enabled).toBe(false);
    });
  },
);
