import { connect, type AddressInfo, type Socket } from 'node:net';
import { seededRandom as random } from '@app/common/testing';
import { FastReads } from '../../apps/api/src/http/fast-reads.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

// Paused services: nothing is checked, so the documents change only on the 15 s idle rebuild.
const SERVICES_YAML = `services:\n${Array.from(
  { length: 12 },
  (_, i) => `  - { id: svc-${i}, name: "Service ${i}", url: "http://127.0.0.1:9/${i}", paused: true }`,
).join('\n')}\n`;

interface Exchange {
  /** Every byte the server sent, until it closed the connection or went quiet after a complete answer. */
  bytes: Buffer;
  closed: boolean;
}

/** The answer without what differs per response (Date, a generated request id), headers in a stable order. */
function comparable(bytes: Buffer): string {
  // Every head's Date and generated id (a 100 Continue comes before the answer).
  const text = bytes.toString('latin1').replace(/\r\n(date|x-request-id): [^\r]*/gi, '');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return text;
  const [status = '', ...lines] = text.slice(0, end).split('\r\n');
  const kept = lines
    .filter((line) => !/^(date|x-request-id):/i.test(line))
    .map((line) => line.toLowerCase())
    .sort();
  return [status, ...kept, '', text.slice(end + 4)].join('\n');
}

/**
 * The wire path (wire-reads.ts) against node:http on the same app, byte for byte: every request is sent once in
 * one write (the wire path may answer it) and once split after its first byte (a head arriving in two reads always
 * goes to node:http, then Fastify or the request-listener fast path). Both answers must be the same — status,
 * every header bar Date and a generated X-Request-Id, body — for valid requests, for near-misses the wire path must
 * refuse (bodies, odd framing, smuggling shapes, other versions) and for random mutations of real requests.
 */
describe('the wire path answers byte for byte what node:http answers', () => {
  let t: TestApp;
  let port: number;
  let fast: FastReads;
  let etag = '';

  beforeAll(async () => {
    t = await createTestApp({ servicesYaml: SERVICES_YAML });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    fast = t.app.get(FastReads);
    // Compress every representation once, and learn the identity ETag of /api/history.
    for (const path of ['/api/status', '/api/history', '/api/v2/summary.json']) {
      for (const coding of ['br', 'gzip', 'identity']) {
        await exchange([`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${coding}\r\nConnection: close\r\n\r\n`]);
      }
    }
    const history = await exchange(['GET /api/history HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    etag = /\r\netag: ([^\r]+)/i.exec(history.bytes.toString('latin1'))?.[1] ?? '';
  });
  afterAll(() => t.close());

  /** Sends `parts` on a new connection (a pause between parts), and collects the answer. */
  function exchange(parts: string[]): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect({ host: '127.0.0.1', port });
      const chunks: Buffer[] = [];
      let quiet: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (closed: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(quiet);
        socket.destroy();
        resolve({ bytes: Buffer.concat(chunks), closed });
      };
      // Complete when the server closes, when a Content-Length body is all there, or 80 ms after the last byte.
      const settle = () => {
        clearTimeout(quiet);
        const bytes = Buffer.concat(chunks);
        const end = bytes.indexOf('\r\n\r\n');
        const length = /\r\ncontent-length: (\d+)/i.exec(bytes.subarray(0, Math.max(end, 0)).toString('latin1'));
        const head = /^HTTP\/1\.1 304/.test(bytes.toString('latin1', 0, 12)) || parts.join('').startsWith('HEAD');
        if (end !== -1 && (head ? 0 : Number(length?.[1] ?? -1)) === bytes.length - end - 4) {
          quiet = setTimeout(() => finish(false), 15);
        } else {
          quiet = setTimeout(() => finish(false), 80);
        }
      };
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        settle();
      });
      socket.on('close', () => finish(true));
      socket.on('error', (error) => (chunks.length === 0 && !done ? reject(error) : finish(true)));
      socket.once('connect', () => {
        const send = async () => {
          for (const [index, part] of parts.entries()) {
            if (index > 0) await new Promise((wait) => setTimeout(wait, 15));
            if (!socket.destroyed) socket.write(Buffer.from(part, 'latin1'));
          }
          settle();
        };
        void send();
      });
    });
  }

  /** The request whole and split after its first byte; retried when a snapshot rebuild fell between them. */
  async function both(request: string): Promise<{ whole: string; split: string; wired: number }> {
    for (let attempt = 0; ; attempt += 1) {
      const before = fast.wired;
      const whole = comparable((await exchange([request])).bytes);
      const wired = fast.wired - before;
      const split = comparable((await exchange([request.slice(0, 1), request.slice(1)])).bytes);
      expect(fast.wired - before).toBe(wired);
      const etags = new Set([whole, split].map((answer) => /\netag: ([^\n]+)/.exec(answer)?.[1]));
      if (etags.size > 1 && attempt < 3) continue;
      return { whole, split, wired };
    }
  }

  const BASE =
    'GET /api/status HTTP/1.1\r\nHost: status.example\r\nAccept-Encoding: br\r\nX-Request-Id: fuzz-trace-0001\r\n\r\n';

  it.each([
    ['a browser poll', BASE],
    ['a HEAD', BASE.replace('GET', 'HEAD')],
    ['identity, Connection: close', 'GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['gzip of the summary', 'GET /api/v2/summary.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\n\r\n'],
    ['a 304', 'GET /api/history HTTP/1.1\r\nHost: x\r\nIf-None-Match: __ETAG__\r\n\r\n'],
    ['a weak 304 with odd spacing', 'GET /api/history HTTP/1.1\r\nhost:x\r\nif-none-match:\tW/__ETAG__  \r\n\r\n'],
  ])('answers %s itself, exactly as node:http does', async (_case, template) => {
    const { whole, split, wired } = await both(template.replace('__ETAG__', etag));
    expect(wired).toBe(1);
    expect(whole).toBe(split);
    expect(whole).toMatch(/^HTTP\/1\.1 (200|304) /);
  });

  it('keeps a well-formed X-Request-Id on the wire path and makes one for a malformed one', async () => {
    const kept = (await exchange([BASE])).bytes.toString('latin1');
    const made = (await exchange([BASE.replace('fuzz-trace-0001', 'bad id!')])).bytes.toString('latin1');
    expect(kept).toMatch(/\r\nx-request-id: fuzz-trace-0001\r\n/);
    expect(made).toMatch(/\r\nx-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\r\n/);
  });

  it.each([
    ['a pipelined pair', BASE + BASE],
    ['a body with Content-Length', BASE.replace('\r\n\r\n', '\r\nContent-Length: 2\r\n\r\n{}')],
    ['Content-Length 0', BASE.replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n')],
    ['a chunked body', BASE.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')],
    [
      'CL.TE smuggling',
      BASE.replace(
        '\r\n\r\n',
        '\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/admin/services HTTP/1.1\r\nHost: x\r\n\r\n',
      ),
    ],
    [
      'Transfer-Encoding with a space before the colon',
      BASE.replace('\r\n\r\n', '\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'),
    ],
    ['an obs-folded Transfer-Encoding', BASE.replace('\r\n\r\n', '\r\nX-A: 1\r\n Transfer-Encoding: chunked\r\n\r\n')],
    ['a bare LF line end', BASE.replace('Host: status.example\r\n', 'Host: status.example\n')],
    ['a NUL in a value', BASE.replace('status.example', 'status\0example')],
    ['obs-text in a value', BASE.replace('status.example', 'st\xe4tus.example')],
    ['HTTP/1.0', BASE.replace('HTTP/1.1', 'HTTP/1.0')],
    [
      'HTTP/1.0 with keep-alive',
      BASE.replace('HTTP/1.1', 'HTTP/1.0').replace('\r\n\r\n', '\r\nConnection: keep-alive\r\n\r\n'),
    ],
    ['no Host', 'GET /api/status HTTP/1.1\r\nAccept-Encoding: br\r\n\r\n'],
    ['two Hosts', BASE.replace('\r\n\r\n', '\r\nHost: other.example\r\n\r\n')],
    ['two Accept-Encodings', BASE.replace('\r\n\r\n', '\r\nAccept-Encoding: gzip\r\n\r\n')],
    ['Expect: 100-continue', BASE.replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n')],
    ['a WebSocket upgrade', BASE.replace('\r\n\r\n', '\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')],
    ['an absolute-form target', BASE.replace('/api/status', 'http://status.example/api/status')],
    ['a query string', BASE.replace('/api/status', '/api/status?x=1')],
    ['a percent-encoded path', BASE.replace('/api/status', '/api/st%61tus')],
    ['a dot segment', BASE.replace('/api/status', '/api/./status')],
    ['a lower-case method', BASE.replace('GET', 'get')],
    ['POST', BASE.replace('GET', 'POST')],
    ['a head over 8 KiB', BASE.replace('\r\n\r\n', `\r\nX-Pad: ${'a'.repeat(9000)}\r\n\r\n`)],
  ])('leaves %s to node:http, with the same answer', async (_case, request) => {
    const { whole, split, wired } = await both(request);
    expect(wired).toBe(0);
    expect(whole).toBe(split);
  });

  const INTERESTING = [
    ' ',
    '\t',
    '\r',
    '\n',
    '\r\n',
    ':',
    '\0',
    '\x7f',
    '\xe4',
    ',',
    '"',
    '/',
    '?',
    '%',
    'a',
    'A',
    '0',
  ];
  const HEADERS = [
    'Content-Length: 0',
    'Content-Length: 3',
    'Transfer-Encoding: chunked',
    'Connection: close',
    'Connection: keep-alive, Upgrade',
    'Host: second.example',
    'If-None-Match: *',
    'Accept-Encoding: gzip;q=0, br;q=0',
    'X-Request-Id: fuzz-trace-0002',
  ];
  const seeds = [17, 2026, 90210];

  it.each(seeds)('agrees on 60 random mutations of real requests (seed %i)', async (seed) => {
    const next = random(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const bases = [
      BASE,
      BASE.replace('GET', 'HEAD'),
      `GET /api/history HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\nConnection: keep-alive\r\n\r\n`,
      'GET /api/v2/summary.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\n\r\n',
    ];
    const disagreements: string[] = [];
    let wired = 0;
    for (let i = 0; i < 60; i += 1) {
      let request = pick(bases);
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits -= 1) {
        const at = Math.floor(next() * (request.length - 4));
        const op = Math.floor(next() * 5);
        if (op === 0) request = request.slice(0, at) + pick(INTERESTING) + request.slice(at + 1);
        else if (op === 1) request = request.slice(0, at) + pick(INTERESTING) + request.slice(at);
        else if (op === 2) request = request.slice(0, at) + request.slice(at + 1);
        else if (op === 3) request = request.replace('\r\n', `\r\n${pick(HEADERS)}\r\n`);
        else request = request.slice(0, at) + request.charAt(at).toUpperCase() + request.slice(at + 1);
      }
      const answer = await both(request);
      wired += answer.wired;
      if (answer.whole !== answer.split) {
        disagreements.push(
          `${JSON.stringify(request)}\n  whole: ${answer.whole.slice(0, 200)}\n  split: ${answer.split.slice(0, 200)}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    // The mutations reach both sides: some requests are still answered on the wire path, most are not.
    expect(wired).toBeGreaterThan(0);
    expect(wired).toBeLessThan(60);
  });
});

describe('the wire path on the app', () => {
  let t: TestApp;
  let port: number;
  let fast: FastReads;

  beforeAll(async () => {
    t = await createTestApp({ servicesYaml: SERVICES_YAML });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    fast = t.app.get(FastReads);
  });
  afterAll(() => t.close());

  /** A keep-alive client: `ask` writes one request and resolves with the next complete answer (Content-Length). */
  const keepAlive = async (host = port) => {
    const socket = connect({ host: '127.0.0.1', port: host });
    let buffered = Buffer.alloc(0);
    let wake: (() => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      wake?.();
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => (resolve(), wake?.())));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ask = async (request: string, head = false) => {
      socket.write(request);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end !== -1) {
          const text = buffered.toString('latin1', 0, end);
          const length = head || / 304 /.test(text) ? 0 : Number(/\r\ncontent-length: (\d+)/i.exec(text)?.[1] ?? 0);
          if (buffered.length >= end + 4 + length) {
            const answer = { head: text, body: buffered.subarray(end + 4, end + 4 + length) };
            buffered = buffered.subarray(end + 4 + length);
            return answer;
          }
        }
        if (socket.destroyed) throw new Error('closed before an answer');
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    return { socket, ask, closed };
  };

  it('serves a keep-alive connection, then hands it to Fastify for good at the first other request', async () => {
    const c = await keepAlive();
    const wired = fast.wired;
    const served = fast.served;
    const status = await c.ask('GET /api/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n');
    const again = await c.ask('GET /api/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n');
    const head = await c.ask('HEAD /api/history HTTP/1.1\r\nHost: x\r\n\r\n', true);
    expect([status.head, again.head, head.head].map((text) => text.slice(0, 15))).toEqual(
      Array(3).fill('HTTP/1.1 200 OK'),
    );
    expect(status.body.equals(again.body)).toBe(true);
    expect(fast.wired - wired).toBe(3);
    // An admin read without a token: Fastify and Nest answer in the API's error shape, on the same connection.
    const admin = await c.ask('GET /api/admin/services HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(admin.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(JSON.parse(admin.body.toString())).toMatchObject({ statusCode: 401 });
    // The connection is node:http's now: the next status read takes the request-listener fast path.
    const after = await c.ask('GET /api/status HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n');
    expect(after.body.equals(status.body)).toBe(true);
    expect([fast.wired - wired, fast.served - served]).toEqual([3, 4]);
    c.socket.destroy();
  });

  it('closes its idle keep-alive connections when the app closes, without waiting for their timeout', async () => {
    const other = await createTestApp({ servicesYaml: SERVICES_YAML, env: { HTTP_KEEP_ALIVE_TIMEOUT: '60s' } });
    await other.app.listen(0, '127.0.0.1');
    const otherPort = (other.app.getHttpServer().address() as AddressInfo).port;
    const c = await keepAlive(otherPort);
    const answer = await c.ask('GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer.head).toMatch(/\r\nKeep-Alive: timeout=60$/);
    expect(other.app.get(FastReads).wired).toBe(1);
    // Resolves only once every connection is gone: a held one would keep it waiting for 60 s (the test's limit is 30).
    await other.close();
    await c.closed;
  });
});
