import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { TargetPolicy, TcpProber, tcpCheck, type ProbeTarget, type TcpCheck } from '@app/monitoring';
import { freePort } from '../../support/app-process.js';
import { days, serverCertificate, testCa } from '../../support/tls-certs.js';

/** A TCP server on 127.0.0.1 doing `onConnection` with every client; `port` once listening. */
async function tcpServer(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

describe('TcpProber against local TCP servers', () => {
  const allowed = new TargetPolicy('127.0.0.0/8');
  let extraCa: string[] = [];
  const stops: (() => void)[] = [];
  const target = (port: number, check: Partial<TcpCheck> = {}, timeoutMs = 800, host = '127.0.0.1'): ProbeTarget => ({
    serviceId: 'db',
    url: `tcp://${host}:${port}`,
    timeoutMs,
    intervalMs: 30_000,
    check: tcpCheck(host, port, check),
  });
  const serve = async (onConnection: (socket: Socket) => void) => {
    const started = await tcpServer(onConnection);
    stops.push(() => {
      for (const socket of started.sockets) socket.destroy();
      started.server.close();
    });
    return started.port;
  };

  beforeAll(async () => {
    extraCa = [(await testCa()).cert];
  });
  afterAll(() => stops.forEach((stop) => stop()));

  it('is up when the port accepts the connection', async () => {
    const port = await serve(() => undefined);
    expect(await new TcpProber(allowed).probe(target(port))).toMatchObject({ ok: true });
  });

  it('is down with ECONNREFUSED when nothing listens', async () => {
    const port = await freePort();
    expect(await new TcpProber(allowed).probe(target(port))).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
  });

  it('times out at the deadline when the server accepts but never says the expected banner', async () => {
    const port = await serve(() => undefined); // accepts, then silence
    const started = Date.now();
    const result = await new TcpProber(allowed).probe(target(port, { expect: '220 ' }, 500));
    expect(result).toMatchObject({ ok: false, error: 'timeout after 500ms' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('sends a line and is up when the expected reply arrives', async () => {
    const port = await serve((socket) =>
      socket.on('data', (data: Buffer) => {
        if (data.toString() === 'PING\r\n') socket.write('+PONG\r\n');
      }),
    );
    expect(await new TcpProber(allowed).probe(target(port, { send: 'PING\r\n', expect: '+PONG' }))).toMatchObject({
      ok: true,
    });
  });

  it('reads a greeting banner and names what it saw when it is not the expected one', async () => {
    const port = await serve((socket) => socket.end('-ERR unknown command\r\n'));
    expect(await new TcpProber(allowed).probe(target(port, { expect: '+OK' }))).toMatchObject({
      ok: false,
      error: 'assertion expect "+OK" failed: saw "-ERR unknown command\\r\\n"',
    });
    const chatty = await serve((socket) => socket.write('SSH-2.0-OpenSSH_9.6\r\n'));
    expect(await new TcpProber(allowed).probe(target(chatty, { expect: 'SSH-2.0' }))).toMatchObject({ ok: true });
  });

  it('completes a TLS handshake, records the certificate and warns before it expires', async () => {
    const ca = await testCa('TCP test CA');
    const certificate = await serverCertificate(ca, { hosts: ['localhost', '127.0.0.1'], notAfter: days(5.1) });
    const server = createTlsServer(certificate, (socket) => socket.end('* OK IMAP ready\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stops.push(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const prober = new TcpProber(allowed, { extraCa: [ca.cert] });
    const result = await prober.probe(target(port, { tls: true, expect: '* OK' }, 2000, 'localhost'));
    expect(result).toMatchObject({ ok: true, warning: 'certificate expires in 5 days' });
    expect(result.certificateNotAfter).toBeGreaterThan(Date.now());
    // Without the CA it is the strict default that speaks.
    expect((await new TcpProber(allowed, { extraCa }).probe(target(port, { tls: true }, 2000, 'localhost'))).ok).toBe(
      false,
    );
  });

  it('refuses loopback unless TARGET_ALLOW_CIDRS allows it, also when a host name resolves to it', async () => {
    const port = await serve(() => undefined);
    const strict = new TcpProber(new TargetPolicy(''));
    expect(await strict.probe(target(port))).toMatchObject({ ok: false, error: 'blocked target 127.0.0.1' });
    expect((await strict.probe(target(port, {}, 800, 'localhost'))).error).toMatch(
      /^blocked target (127\.0\.0\.1|::1)$/,
    );
  });
});
