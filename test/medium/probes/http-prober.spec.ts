import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpProber,
  DEFAULT_PROBER_OPTIONS,
  httpCheck,
  parseJsonPath,
  TargetPolicy,
  WorkerRegexRunner,
  type HttpCheck,
  type ProbeTarget,
} from '@app/monitoring';
import { days, serverCertificate, testCa, type TestCa } from '../../support/tls-certs.js';

const DAY = 86_400_000;

/** An HTTPS server on 127.0.0.1 with the given certificate, answering 200 "ok". */
async function httpsTarget(certificate: { cert: string; key: string }): Promise<{ server: HttpsServer; url: string }> {
  const server = createHttpsServer(certificate, (_request, response) => response.writeHead(200).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://localhost:${(server.address() as AddressInfo).port}/` };
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('HttpProber against local targets', () => {
  let ca: TestCa;
  let prober: HttpProber;
  const regex = new WorkerRegexRunner();
  const servers: (Server | HttpsServer)[] = [];
  const target = (url: string, check: Partial<Omit<HttpCheck, 'kind'>> = {}, timeoutMs = 2000): ProbeTarget => ({
    serviceId: 'svc',
    url,
    timeoutMs,
    intervalMs: 30_000,
    check: httpCheck(check),
  });

  beforeAll(async () => {
    ca = await testCa();
    prober = new HttpProber(new TargetPolicy('127.0.0.0/8'), { ...DEFAULT_PROBER_OPTIONS, extraCa: [ca.cert] }, regex);
  });
  afterAll(async () => {
    await regex.close();
    for (const server of servers) server.close();
  });

  describe('certificates (generated in the test, signed by a test CA)', () => {
    it('records notAfter and is a degraded success when the certificate expires in 3 days', async () => {
      const notAfter = days(3.05);
      const { server, url } = await httpsTarget(
        await serverCertificate(ca, { hosts: ['localhost', '127.0.0.1'], notAfter }),
      );
      servers.push(server);
      const result = await prober.probe(target(url));
      expect(result).toMatchObject({ ok: true, statusCode: 200, warning: 'certificate expires in 3 days' });
      // X.509 keeps whole seconds.
      expect(Math.abs((result.certificateNotAfter ?? 0) - notAfter.getTime())).toBeLessThan(1000);
    });

    it('is a plain success with notAfter recorded when more days are left than certExpiryWarningDays', async () => {
      const { server, url } = await httpsTarget(
        await serverCertificate(ca, { hosts: ['localhost'], notAfter: days(60) }),
      );
      servers.push(server);
      const result = await prober.probe(target(url, { certExpiryWarningDays: 30 }));
      expect(result.ok).toBe(true);
      expect(result.warning).toBeUndefined();
      expect((result.certificateNotAfter ?? 0) - Date.now()).toBeGreaterThan(59 * DAY);
    });

    it('fails an expired certificate, and accepts it (degraded) only with insecureTls', async () => {
      const { server, url } = await httpsTarget(
        await serverCertificate(ca, { hosts: ['localhost'], notBefore: days(-30), notAfter: days(-2) }),
      );
      servers.push(server);
      expect(await prober.probe(target(url))).toMatchObject({ ok: false, error: 'certificate has expired' });
      expect(await prober.probe(target(url, { insecureTls: true }))).toMatchObject({
        ok: true,
        warning: 'certificate expired 2 days ago',
      });
    });

    it('fails a certificate made for another host name', async () => {
      const { server, url } = await httpsTarget(
        await serverCertificate(ca, { hosts: ['other.example'], notAfter: days(90) }),
      );
      servers.push(server);
      expect(await prober.probe(target(url))).toMatchObject({
        ok: false,
        error: 'certificate does not match the host name',
      });
    });

    it('fails a certificate nobody trusts unless insecureTls says so', async () => {
      const stranger = await testCa('A CA nobody trusts');
      const { server, url } = await httpsTarget(
        await serverCertificate(stranger, { hosts: ['localhost'], notAfter: days(90) }),
      );
      servers.push(server);
      expect((await prober.probe(target(url))).error).toMatch(/unable to verify|self-signed/);
      expect((await prober.probe(target(url, { insecureTls: true }))).ok).toBe(true);
    });
  });

  describe('requests and assertions', () => {
    let base = '';
    let other = '';
    const seen: Seen[] = [];
    const respond = new Map<string, (response: import('node:http').ServerResponse) => void>();

    beforeAll(async () => {
      const listen = async (name: string) => {
        const server = createServer((request, response) => {
          let body = '';
          request.setEncoding('utf8');
          request.on('data', (chunk: string) => (body += chunk));
          request.on('end', () => {
            seen.push({
              method: request.method ?? '',
              url: `${name}${request.url ?? ''}`,
              headers: request.headers,
              body,
            });
            const handler = respond.get(`${name}${request.url ?? ''}`);
            if (handler) handler(response);
            else response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
          });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        servers.push(server);
        return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      };
      base = await listen('a');
      other = await listen('b');
      respond.set('a/health', (r) =>
        r
          .writeHead(200, { 'content-type': 'application/json', 'x-version': '2.1' })
          .end(JSON.stringify({ status: 'DOWN', queue: 7 })),
      );
      respond.set('a/maintenance', (r) =>
        r.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Down for maintenance</h1>'),
      );
      respond.set('a/redirect-away', (r) => r.writeHead(302, { location: `${other}/landing` }).end());
      respond.set('a/redirect-home', (r) => r.writeHead(307, { location: '/landing' }).end());
    });
    beforeEach(() => (seen.length = 0));

    it('sends POST with its body, custom headers and basic auth', async () => {
      const result = await prober.probe(
        target(`${base}/post`, {
          method: 'POST',
          body: '{"probe":true}',
          headers: [{ name: 'X-Api-Key', value: 'k3y', secret: true }],
          auth: { type: 'basic', username: 'monitor', password: 'pa55' },
        }),
      );
      expect(result.ok).toBe(true);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ method: 'POST', body: '{"probe":true}' });
      expect(seen[0]!.headers).toMatchObject({
        'x-api-key': 'k3y',
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('monitor:pa55').toString('base64')}`,
      });
    });

    it('sends a bearer token', async () => {
      await prober.probe(target(`${base}/bearer`, { auth: { type: 'bearer', token: 'tok-1' } }));
      expect(seen[0]!.headers.authorization).toBe('Bearer tok-1');
    });

    it('fails a 200 whose JSON says DOWN, naming the assertion and the value seen', async () => {
      const json = (path: string, operator: '==' | '<', value: string | number) => ({
        path,
        segments: parseJsonPath(path)!,
        operator,
        value,
      });
      const check = (assertions: Partial<HttpCheck['assertions']>) =>
        prober.probe(
          target(`${base}/health`, {
            assertions: { contains: [], notContains: [], matches: [], json: [], headers: [], ...assertions },
          }),
        );
      expect(await check({ json: [json('$.status', '==', 'UP')] })).toMatchObject({
        ok: false,
        statusCode: 200,
        error: 'assertion json $.status == "UP" failed: saw "DOWN"',
      });
      expect(
        await check({
          json: [json('$.queue', '<', 10)],
          headers: [{ name: 'X-Version', operator: '==', value: '2.1' }],
        }),
      ).toMatchObject({ ok: true });
      expect((await check({ headers: [{ name: 'X-Version', operator: '==', value: '3' }] })).error).toBe(
        'assertion header X-Version == "3" failed: saw "2.1"',
      );
      expect((await check({ matches: ['"status":"(UP|DEGRADED)"'] })).error).toMatch(
        /^assertion matches .* failed: body starts/,
      );
    });

    it('fails a maintenance page that answers 200', async () => {
      const result = await prober.probe(
        target(`${base}/maintenance`, {
          assertions: { contains: [], notContains: ['maintenance'], matches: [], json: [], headers: [] },
        }),
      );
      expect(result.error).toBe('assertion notContains "maintenance" failed: found in "<h1>Down for maintenance</h1>"');
    });

    it('never sends custom headers or credentials to another origin a redirect points at', async () => {
      const result = await prober.probe(
        target(`${base}/redirect-away`, {
          headers: [{ name: 'X-Api-Key', value: 'k3y', secret: true }],
          auth: { type: 'bearer', token: 'tok-1' },
        }),
      );
      expect(result.ok).toBe(true);
      expect(seen.map((request) => request.url)).toEqual(['a/redirect-away', 'b/landing']);
      expect(seen[0]!.headers).toMatchObject({ 'x-api-key': 'k3y', authorization: 'Bearer tok-1' });
      expect(seen[1]!.headers['x-api-key']).toBeUndefined();
      expect(seen[1]!.headers.authorization).toBeUndefined();
    });

    it('keeps method and body on a 307 to the same origin, and judges the redirect itself with followRedirects off', async () => {
      await prober.probe(target(`${base}/redirect-home`, { method: 'POST', body: 'x=1' }));
      expect(seen.map(({ method, url, body }) => [method, url, body])).toEqual([
        ['POST', 'a/redirect-home', 'x=1'],
        ['POST', 'a/landing', 'x=1'],
      ]);
      seen.length = 0;
      expect(await prober.probe(target(`${base}/redirect-home`, { followRedirects: false }))).toMatchObject({
        ok: false,
        error: 'HTTP 307',
      });
      expect(seen).toHaveLength(1);
    });
  });
});
