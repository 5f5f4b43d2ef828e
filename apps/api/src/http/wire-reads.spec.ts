import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import {
  COPY_LIMIT,
  MAX_SIMPLE_HEAD,
  parseSimpleHead,
  WireReads,
  type SimpleHead,
  type WireAnswer,
} from './wire-reads.js';

const parse = (text: string) => parseSimpleHead(Buffer.from(text, 'latin1'));
const BASE = 'GET /api/status HTTP/1.1\r\nHost: status.example\r\nAccept-Encoding: br\r\n\r\n';

describe('parseSimpleHead (what the wire path answers itself)', () => {
  it('reads a browser-like GET and a HEAD', () => {
    expect(parse(BASE)).toEqual({
      method: 'GET',
      target: '/api/status',
      acceptEncoding: 'br',
      ifNoneMatch: undefined,
      requestId: undefined,
      close: false,
    });
    const head = parse(
      'HEAD /api/history HTTP/1.1\r\nhost: x\r\nIF-NONE-MATCH:  W/"abc" \r\nX-Request-Id:\tcdn-0001\t\r\n' +
        'Connection: Close\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nCookie: a=b; c=d\r\n\r\n',
    );
    expect(head).toEqual({
      method: 'HEAD',
      target: '/api/history',
      acceptEncoding: undefined,
      ifNoneMatch: 'W/"abc"',
      requestId: 'cdn-0001',
      close: true,
    });
    expect(parse(BASE.replace('Accept-Encoding: br\r\n', 'Connection: keep-alive\r\n'))?.close).toBe(false);
  });

  it.each([
    ['no Host', 'GET /api/status HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['two Hosts', 'GET /api/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['no headers at all', 'GET /api/status HTTP/1.1\r\n\r\n'],
    ['HTTP/1.0', BASE.replace('HTTP/1.1', 'HTTP/1.0')],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['a lower-case method', BASE.replace('GET', 'get')],
    ['POST', BASE.replace('GET', 'POST')],
    ['OPTIONS', BASE.replace('GET', 'OPTIONS')],
    ['two spaces after the method', BASE.replace('GET ', 'GET  ')],
    ['a space in the target', BASE.replace('/api/status', '/api/ status')],
    ['a tab in the request line', BASE.replace('GET ', 'GET\t')],
    ['an absolute-form target', BASE.replace('/api/status', 'http://x/api/status')],
    ['an asterisk target', BASE.replace('/api/status', '*')],
    ['a trailing space after the version', BASE.replace('HTTP/1.1\r\n', 'HTTP/1.1 \r\n')],
    ['a body after the head', `${BASE}{}`],
    ['a pipelined second request', BASE + BASE],
    ['a head not complete yet', BASE.slice(0, -2)],
    ['an empty line first', `\r\n${BASE}`],
    ['Content-Length 0', BASE.replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n')],
    ['Transfer-Encoding', BASE.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n')],
    ['Expect', BASE.replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n')],
    ['Upgrade', BASE.replace('\r\n\r\n', '\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')],
    ['Connection with two options', BASE.replace('\r\n\r\n', '\r\nConnection: keep-alive, close\r\n\r\n')],
    ['Connection: upgrade alone', BASE.replace('\r\n\r\n', '\r\nConnection: upgrade\r\n\r\n')],
    ['two Connection headers', BASE.replace('\r\n\r\n', '\r\nConnection: close\r\nConnection: close\r\n\r\n')],
    ['two Accept-Encoding headers', BASE.replace('\r\n\r\n', '\r\nAccept-Encoding: gzip\r\n\r\n')],
    ['two If-None-Match headers', BASE.replace('\r\n\r\n', '\r\nIf-None-Match: "a"\r\nIf-None-Match: "b"\r\n\r\n')],
    ['two X-Request-Id headers', BASE.replace('\r\n\r\n', '\r\nX-Request-Id: a\r\nX-Request-Id: b\r\n\r\n')],
    ['an obs-folded line', BASE.replace('\r\n\r\n', '\r\nX-A: one\r\n two\r\n\r\n')],
    ['a tab-folded line', BASE.replace('\r\n\r\n', '\r\nX-A: one\r\n\ttwo\r\n\r\n')],
    ['a line without a colon', BASE.replace('\r\n\r\n', '\r\nX-A one\r\n\r\n')],
    ['an empty header name', BASE.replace('\r\n\r\n', '\r\n: one\r\n\r\n')],
    ['a space before the colon', BASE.replace('Host:', 'Host :')],
    ['a separator in a name', BASE.replace('\r\n\r\n', '\r\nX(A): one\r\n\r\n')],
    ['a bare LF ending a line', BASE.replace('Host: status.example\r\n', 'Host: status.example\n')],
    ['a bare CR in a value', BASE.replace('status.example', 'status\r.example')],
    ['a bare LF in a value', BASE.replace('status.example', 'status\n.example')],
    ['a NUL', BASE.replace('status.example', 'status\0.example')],
    ['DEL', BASE.replace('status.example', 'status\x7f.example')],
    ['obs-text (non-ASCII)', BASE.replace('status.example', 'st\xe4tus.example')],
    ['a vertical tab', BASE.replace('status.example', 'status\x0b.example')],
    ['LF LF as the end', BASE.replace('\r\n\r\n', '\r\n\n')],
    ['too short to be a request', 'GET / HTTP/1.1\r\n'],
  ])('leaves %s to node:http', (_case, text) => {
    expect(parse(text)).toBeNull();
  });

  it(`leaves a head over ${MAX_SIMPLE_HEAD} bytes to node:http, and reads one just under`, () => {
    const padded = (size: number) => {
      const filler = 'X-Pad: ' + 'a'.repeat(size - BASE.length - 'X-Pad: \r\n'.length) + '\r\n';
      return BASE.replace('\r\n\r\n', `\r\n${filler}\r\n`);
    };
    expect(padded(MAX_SIMPLE_HEAD).length).toBe(MAX_SIMPLE_HEAD);
    expect(parse(padded(MAX_SIMPLE_HEAD))).not.toBeNull();
    expect(parse(padded(MAX_SIMPLE_HEAD + 1))).toBeNull();
  });
});

/** A bare node:http server with WireReads in front: the wire path answers /wire; node:http answers 599. */
describe('WireReads (the connection-level path in front of node:http)', () => {
  let server: Server;
  let port: number;
  let wire: WireReads;
  let enabled: boolean;
  let body: Buffer;
  let answered: SimpleHead[];
  let throwing: boolean;
  const open: Socket[] = [];

  let delayed: Promise<WireAnswer> | null;
  const answer = (head: SimpleHead): WireAnswer | null | Promise<WireAnswer> => {
    if (throwing) throw new Error('snapshot unavailable');
    if (delayed !== null) return delayed;
    if (head.target !== '/wire') return null;
    answered.push(head);
    return {
      head: `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\n`,
      body: head.method === 'HEAD' ? null : body,
    };
  };

  const start = async (setup: (s: Server) => void = () => undefined) => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(599, { 'content-length': '4' }).end('node'));
    });
    server.keepAliveTimeout = 5_000;
    server.setTimeout(60_000);
    setup(server);
    wire = new WireReads(server, { enabled: () => enabled, answer });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };

  beforeEach(() => {
    enabled = true;
    throwing = false;
    delayed = null;
    body = Buffer.from('hello from the wire');
    answered = [];
  });
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** A client socket that collects every byte; `until` waits for a condition on what arrived. */
  const client = async () => {
    const socket = connect({ host: '127.0.0.1', port });
    open.push(socket);
    const chunks: Buffer[] = [];
    let received = 0;
    let cached: string | null = null;
    let closedAt = 0;
    const waiters: (() => void)[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      cached = null;
      for (const waiter of waiters.splice(0)) waiter();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) =>
      socket.on('close', () => {
        closedAt = Date.now();
        resolve();
        for (const waiter of waiters.splice(0)) waiter();
      }),
    );
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const text = () => (cached ??= Buffer.concat(chunks).toString('latin1'));
    const until = async (done: (text: string) => boolean) => {
      while (!done(text())) {
        if (socket.destroyed && closedAt !== 0) {
          throw new Error(`closed after ${received} bytes: …${JSON.stringify(text().slice(-300))}`);
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return text();
    };
    const responses = (all: string) => all.split(/(?=HTTP\/1\.1 )/).filter(Boolean);
    return { socket, text, until, responses, closed, closedAt: () => closedAt };
  };

  const GET = 'GET /wire HTTP/1.1\r\nHost: x\r\n\r\n';

  it('answers simple heads on one keep-alive connection with the headers node:http adds', async () => {
    await start();
    const c = await client();
    for (let i = 0; i < 3; i += 1) {
      c.socket.write(i === 1 ? 'HEAD /wire HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-000001\r\n\r\n' : GET);
      await c.until((all) => c.responses(all).length === i + 1 && all.endsWith(i === 1 ? '\r\n\r\n' : 'wire'));
    }
    const [first = '', head = '', third = ''] = c.responses(c.text());
    expect(first).toMatch(
      /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain\r\ncontent-length: 19\r\nx-request-id: [0-9a-f-]{36}\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nhello from the wire$/,
    );
    expect(head).toMatch(/\r\nx-request-id: trace-000001\r\n/);
    expect(head.endsWith('Keep-Alive: timeout=5\r\n\r\n')).toBe(true);
    expect(third).toBe(first.replace(/x-request-id: [^\r]+/, third.match(/x-request-id: [^\r]+/)?.[0] ?? ''));
    expect(answered.map((h) => h.method)).toEqual(['GET', 'HEAD', 'GET']);
    expect(wire.connections).toBe(1);
  });

  it('hands the connection to node:http at the first read it does not answer, for good, losing no byte', async () => {
    await start();
    const c = await client();
    c.socket.write(GET);
    await c.until((all) => all.endsWith('wire'));
    // A request the wire path does not answer, with a body, in the same read as the next one (pipelined).
    c.socket.write(`POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello${GET}`);
    await c.until((all) => c.responses(all).length === 3);
    // From now on node:http parses this connection, also requests the wire path would answer.
    c.socket.write(GET);
    await c.until((all) => c.responses(all).length === 4 && all.endsWith('node'));
    expect(c.responses(c.text()).map((r) => r.slice(9, 12))).toEqual(['200', '599', '599', '599']);
    expect(answered).toHaveLength(1);
    expect(wire.connections).toBe(0);
  });

  it('hands over a head split across reads (node:http then times and parses it)', async () => {
    await start();
    const c = await client();
    c.socket.write(GET.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    c.socket.write(GET.slice(10));
    await c.until((all) => all.endsWith('node'));
    expect(answered).toHaveLength(0);
  });

  it('hands over when the answer fails, when disabled, and when the server limits requests per socket', async () => {
    await start();
    throwing = true;
    const failed = await client();
    failed.socket.write(GET);
    await failed.until((all) => all.endsWith('node'));
    throwing = false;
    enabled = false;
    const disabled = await client();
    disabled.socket.write(GET);
    await disabled.until((all) => all.endsWith('node'));
    expect(answered).toHaveLength(0);
    enabled = true;
    server.maxRequestsPerSocket = 2;
    const limited = await client();
    limited.socket.write(GET);
    await limited.until((all) => all.endsWith('node'));
    expect(answered).toHaveLength(0);
  });

  it('writes a body over the copy limit (a page of thousands of services) byte for byte, kept alive or closing', async () => {
    body = Buffer.from(Array.from({ length: 3 * COPY_LIMIT }, (_, i) => (i * 7919) % 251));
    await start();
    const c = await client();
    const close = GET.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');
    c.socket.write(GET);
    await c.until(
      (all) =>
        all.length > body.length && c.responses(all).length === 1 && all.endsWith(body.toString('latin1').slice(-64)),
    );
    c.socket.write(close);
    await c.closed;
    const answers = c.responses(c.text());
    expect(answers).toHaveLength(2);
    for (const [i, text] of answers.entries()) {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      expect(head).toMatch(i === 0 ? /\r\nKeep-Alive: timeout=5$/ : /\r\nConnection: close$/);
      expect(Buffer.from(rest.join('\r\n\r\n'), 'latin1').equals(body)).toBe(true);
    }
  });

  it('answers Connection: close and then closes the connection', async () => {
    await start();
    const c = await client();
    c.socket.write(GET.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
    await c.closed;
    expect(c.text()).toMatch(/\r\nConnection: close\r\n\r\nhello from the wire$/);
    expect(c.text()).not.toMatch(/Keep-Alive/);
  });

  it("answers node:http's 408 to a connection that sends no head within the headers timeout, and closes one idle after an answer at the keep-alive timeout", async () => {
    await start((s) => {
      s.headersTimeout = 300;
      s.keepAliveTimeout = 700;
    });
    const silent = await client();
    const answeredOnce = await client();
    answeredOnce.socket.write(GET);
    await answeredOnce.until((all) => all.endsWith('wire'));
    const sentAt = Date.now();
    await Promise.all([silent.closed, answeredOnce.closed]);
    expect(silent.text()).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    // Closed by the keep-alive timeout (700 ms), not the headers timeout (300 ms), and with no 408.
    expect(answeredOnce.closedAt() - sentAt).toBeGreaterThanOrEqual(650);
    expect(answeredOnce.text()).toMatch(/Keep-Alive: timeout=0\r\n\r\nhello from the wire$/);
  });

  it("lets the server's clientError listener (Fastify's) write the 408", async () => {
    await start((s) => {
      s.headersTimeout = 200;
      s.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
        socket.end(`HTTP/1.1 408 Request Timeout\r\nX-Code: ${error.code}\r\n\r\n`);
      });
    });
    const silent = await client();
    await silent.closed;
    expect(silent.text()).toBe('HTTP/1.1 408 Request Timeout\r\nX-Code: ERR_HTTP_REQUEST_TIMEOUT\r\n\r\n');
  });

  /**
   * More bytes than the kernel can hold for one loopback connection whose reader has stopped: the most its send
   * buffer and the peer's receive buffer can grow to (autotuning's caps), plus 1 MiB. A fixed 4 MiB was absorbed
   * whole on a CI host with larger buffers, and the server rightly read the next head.
   */
  const moreThanTheKernelHolds = () => {
    const max = (file: string) => {
      try {
        return Number(readFileSync(`/proc/sys/net/ipv4/${file}`, 'utf8').trim().split(/\s+/)[2]) || 32 * 1024 * 1024;
      } catch {
        return 32 * 1024 * 1024;
      }
    };
    return max('tcp_rmem') + max('tcp_wmem') + 1024 * 1024;
  };

  it('stops reading from a client that does not read its answers, and reads again once they are gone', async () => {
    body = Buffer.alloc(moreThanTheKernelHolds(), 'x');
    await start();
    const c = await client();
    c.socket.pause();
    c.socket.write(GET);
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      // Only the first answer needs to be that large; any further one (answered too early or after) is small.
      if (answered.length === 1) body = Buffer.from('small');
      c.socket.write(i === 4 ? GET.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n') : GET);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // One answer larger than the socket's buffers can take fills them: the next heads wait unread, nothing more is
    // answered.
    expect(answered).toHaveLength(1);
    c.socket.resume();
    // Read again once drained: every head is answered (here or, if they arrive in one read, by node:http), and
    // the last one's Connection: close ends the connection.
    await c.closed;
    const heads = c.text().match(/HTTP\/1\.1 \d{3}/g) ?? [];
    expect(heads).toHaveLength(6);
    expect(heads.length - answered.length).toBe(heads.filter((h) => h.endsWith('599')).length);
  });

  it('on release (the server closing) closes connections between requests and hands new ones to node:http', async () => {
    await start();
    const between = await client();
    between.socket.write(GET);
    await between.until((all) => all.endsWith('wire'));
    const fresh = await client();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wire.connections).toBe(2);
    wire.releaseAll();
    expect(wire.connections).toBe(0);
    // Between requests: destroyed, as node:http's closeIdleConnections destroys its idle ones.
    await between.closed;
    // No request yet: node:http's now (it counts it as a request started) and answers it.
    fresh.socket.write(GET);
    await fresh.until((all) => all.endsWith('node'));
    expect(answered).toHaveLength(1);
  });

  it('on release, writes an awaited answer first and then closes the connection', async () => {
    let finish: (answer: WireAnswer) => void = () => undefined;
    await start();
    const c = await client();
    delayed = new Promise<WireAnswer>((resolve) => (finish = resolve));
    c.socket.write(GET);
    await new Promise((resolve) => setTimeout(resolve, 30));
    wire.releaseAll();
    expect(wire.connections).toBe(1);
    finish({ head: 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n', body: Buffer.from('late') });
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nlate$/);
  });

  it('leaves the connection limit to the listeners after it: a socket they destroy is forgotten here', async () => {
    await start();
    // As connection-limits.ts does, registered after the wire path.
    server.on('connection', (socket: Socket) => socket.destroy());
    const c = await client().catch(() => null);
    if (c !== null) await c.closed;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(wire.connections).toBe(0);
  });
});
