import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

/**
 * Slow clients (issue 15, item 3): sockets that trickle a body or headers are closed by the server's own
 * timeouts while /api/status keeps answering, and one address cannot hold more than its share of connections.
 * A real socket on 127.0.0.1 (not inject): timeouts live in Node's HTTP server.
 */
describe('slow clients are cut off and cannot crowd out readers', () => {
  let t: TestApp;
  let port: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      env: { HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s', MAX_CONNECTIONS_PER_IP: '20' },
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await t.close();
  });

  /** A connection from `localAddress` (any 127.x address is this host); resolves once connected. */
  const open = (localAddress: string) =>
    new Promise<{ socket: Socket; closed: Promise<number> }>((resolve, reject) => {
      const started = Date.now();
      const socket = connect({ host: '127.0.0.1', port, localAddress });
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('data', () => undefined);
      const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('error', reject);
    });

  /** Writes a byte every 200 ms until the socket is gone. */
  const trickle = (socket: Socket, chunk: string) => {
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(chunk)), 200);
    socket.once('close', () => clearInterval(timer));
  };

  it('closes 10 trickled bodies and 10 trickled header blocks within the timeouts while /api/status answers', async () => {
    const bodies = await Promise.all(Array.from({ length: 10 }, () => open('127.0.0.2')));
    for (const { socket } of bodies) {
      socket.write(
        'POST /api/admin/services HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
      );
      trickle(socket, ' ');
    }
    const headers = await Promise.all(Array.from({ length: 10 }, () => open('127.0.0.3')));
    for (const { socket } of headers) {
      socket.write('GET /api/status HTTP/1.1\r\nHost: x\r\n');
      trickle(socket, 'X-Slow: 1\r\n');
    }
    const statuses: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        statuses.push((await fetch(`http://127.0.0.1:${port}/api/status`)).status);
        await new Promise((done) => setTimeout(done, 100));
      }
    })();
    const bodyClosed = await Promise.all(bodies.map(({ closed }) => closed));
    const headerClosed = await Promise.all(headers.map(({ closed }) => closed));
    reading = false;
    await reader;
    // Request timeout 2 s / headers timeout 1 s, checked once a second by Node: closed within 1 s of the limit.
    expect(Math.max(...bodyClosed)).toBeLessThan(3_500);
    expect(Math.min(...bodyClosed)).toBeGreaterThanOrEqual(1_900);
    expect(Math.max(...headerClosed)).toBeLessThan(2_500);
    expect(statuses.length).toBeGreaterThanOrEqual(10);
    expect(new Set(statuses)).toEqual(new Set([200]));
  }, 15_000);

  it('closes connections beyond MAX_CONNECTIONS_PER_IP at once, and other addresses are unaffected', async () => {
    const held = await Promise.all(Array.from({ length: 30 }, () => open('127.0.0.4')));
    const quickly = await Promise.all(
      held.map(({ closed }) =>
        Promise.race([closed.then(() => true), new Promise((d) => setTimeout(() => d(false), 300))]),
      ),
    );
    expect(quickly.filter(Boolean)).toHaveLength(10);
    expect((await fetch(`http://127.0.0.1:${port}/api/status`)).status).toBe(200);
    for (const { socket } of held) socket.destroy();
  });
});
