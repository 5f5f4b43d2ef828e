import { DnsProber, TargetPolicy, type DnsCheck, type ProbeTarget } from '@app/monitoring';
import { silentDnsServer, TestDnsServer } from '../../support/dns-server.js';

describe('DnsProber against a local DNS server (dns2 on a loopback UDP port)', () => {
  const zone = new TestDnsServer({
    'www.example.test': {
      A: [{ address: '192.0.2.10' }, { address: '192.0.2.11' }],
      AAAA: [{ address: '2001:db8::10' }],
      TXT: [{ data: 'v=spf1 -all' }],
    },
    'alias.example.test': { CNAME: [{ domain: 'www.example.test' }] },
    'example.test': { MX: [{ exchange: 'mx1.example.test', priority: 10 }] },
    'broken.example.test': { rcode: 'SERVFAIL' },
    'private.example.test': { rcode: 'REFUSED' },
  });
  const prober = new DnsProber(new TargetPolicy('127.0.0.0/8'));
  const target = (check: Partial<DnsCheck>, timeoutMs = 1000): ProbeTarget => ({
    serviceId: 'dns',
    url: '',
    timeoutMs,
    intervalMs: 30_000,
    check: { kind: 'dns', name: 'www.example.test', type: 'A', server: zone.address, expect: [], ...check },
  });

  beforeAll(() => zone.start());
  afterAll(() => zone.stop());

  it.each([
    ['A', 'www.example.test', ['192.0.2.11']],
    ['AAAA', 'www.example.test', ['2001:DB8::10']],
    ['CNAME', 'alias.example.test', ['WWW.example.test.']],
    ['MX', 'example.test', ['10 mx1.example.test']],
    ['TXT', 'www.example.test', ['v=spf1 -all']],
  ] as const)('resolves %s %s and finds the expected values', async (type, name, expect_) => {
    expect(await prober.probe(target({ type, name, expect: [...expect_] }))).toMatchObject({ ok: true });
  });

  it('names an expected value that is missing and what the answer held', async () => {
    expect(await prober.probe(target({ expect: ['192.0.2.99'] }))).toMatchObject({
      ok: false,
      error: 'assertion expect "192.0.2.99" failed: saw "192.0.2.10, 192.0.2.11"',
    });
  });

  it('tells NXDOMAIN, an empty answer, SERVFAIL and REFUSED apart', async () => {
    expect((await prober.probe(target({ name: 'nope.example.test' }))).error).toBe('NXDOMAIN');
    expect((await prober.probe(target({ name: 'alias.example.test', type: 'MX' }))).error).toBe('no MX record');
    expect((await prober.probe(target({ name: 'broken.example.test' }))).error).toBe('SERVFAIL');
    expect((await prober.probe(target({ name: 'private.example.test' }))).error).toBe('REFUSED');
  });

  it('gives up at the deadline when the server never answers', async () => {
    const silent = await silentDnsServer();
    try {
      const started = Date.now();
      expect(await prober.probe(target({ server: silent.address }, 600))).toMatchObject({
        ok: false,
        error: 'timeout after 600ms',
      });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(silent.received()).toBeGreaterThan(0);
    } finally {
      await silent.stop();
    }
  });

  it('refuses to ask a server the SSRF policy blocks', async () => {
    const strict = new DnsProber(new TargetPolicy(''));
    const queries = zone.queries;
    expect(await strict.probe(target({}))).toMatchObject({ ok: false, error: 'blocked target 127.0.0.1' });
    expect(zone.queries).toBe(queries);
  });
});
