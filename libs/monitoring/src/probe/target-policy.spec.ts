import { parseCidrList, TargetPolicy } from './target-policy.js';

describe('TargetPolicy', () => {
  const policy = new TargetPolicy('');

  describe('without an allow list', () => {
    it.each([
      ['169.254.169.254', 'link-local'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'shared address space'],
      ['192.0.0.8', 'IETF protocol assignments'],
      ['198.18.0.1', 'benchmarking'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['fd00::1', 'unique-local'],
      ['fc00::1', 'unique-local'],
      ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'],
      ['64:ff9b::a9fe:a9fe', 'NAT64'],
      ['::a9fe:a9fe', 'IPv4-compatible'],
    ])('blocks %s (%s)', (address, reason) => {
      expect(policy.check(address)).toEqual({ allowed: false, reason: `blocked target ${address} (${reason})` });
    });

    it.each(['::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '0:0:0:0:0:ffff:a9fe:a9fe', '::ffff:127.0.0.1'])(
      'blocks the IPv4-mapped spelling %s of a blocked IPv4 address',
      (address) => {
        expect(policy.check(address).allowed).toBe(false);
      },
    );

    it('blocks an IPv4-mapped IPv6 address even when the embedded IPv4 address is public', () => {
      expect(policy.check('::ffff:8.8.8.8')).toEqual({
        allowed: false,
        reason: 'blocked target ::ffff:8.8.8.8 (IPv4-mapped)',
      });
    });

    it('accepts a bracketed IPv6 literal as written in a URL', () => {
      expect(policy.check('[::1]')).toEqual({ allowed: false, reason: 'blocked target ::1 (loopback)' });
      expect(policy.check('[2606:4700::1111]')).toEqual({ allowed: true });
    });

    it('refuses anything that is not an IP address (names are checked after DNS resolution)', () => {
      expect(policy.check('example.com')).toEqual({
        allowed: false,
        reason: 'blocked target example.com (not an IP address)',
      });
    });

    it.each([
      '8.8.8.8',
      '1.1.1.1',
      '52.95.110.1',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '2001:4860:4860::8888',
    ])('allows the public address %s', (address) => {
      expect(policy.check(address)).toEqual({ allowed: true });
    });
  });

  describe('with an allow list', () => {
    const allowing = new TargetPolicy('127.0.0.0/8, fd00::/8');

    it.each(['127.0.0.1', '127.9.9.9', 'fd00::1', 'fdff::abcd'])('allows %s inside an allowed range', (address) => {
      expect(allowing.check(address)).toEqual({ allowed: true });
    });

    it.each(['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1'])(
      'allows the IPv4-mapped spelling %s of an allowed IPv4 address',
      (address) => {
        expect(allowing.check(address)).toEqual({ allowed: true });
      },
    );

    it('still blocks what the allow list does not cover', () => {
      expect(allowing.check('169.254.169.254')).toEqual({
        allowed: false,
        reason: 'blocked target 169.254.169.254 (link-local)',
      });
      expect(allowing.check('::1')).toEqual({ allowed: false, reason: 'blocked target ::1 (loopback)' });
      expect(allowing.check('10.0.0.1').allowed).toBe(false);
    });

    it('still allows public addresses', () => {
      expect(allowing.check('8.8.8.8')).toEqual({ allowed: true });
    });

    it('allows a single host given without a prefix, and nothing next to it', () => {
      const single = new TargetPolicy('10.0.0.5');
      expect(single.check('10.0.0.5')).toEqual({ allowed: true });
      expect(single.check('10.0.0.6').allowed).toBe(false);
    });
  });
});

describe('parseCidrList', () => {
  it('parses a comma separated list, ignoring blanks and surrounding spaces', () => {
    expect(parseCidrList(' 10.0.0.0/8 ,, fd00::/8, 192.168.1.10 ,')).toEqual([
      { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { address: 'fd00::', prefix: 8, family: 'ipv6' },
      { address: '192.168.1.10', prefix: 32, family: 'ipv4' },
    ]);
  });

  it('treats an address without a prefix as one host (/32 or /128)', () => {
    expect(parseCidrList('::1')).toEqual([{ address: '::1', prefix: 128, family: 'ipv6' }]);
  });

  it('returns nothing for an empty list', () => {
    expect(parseCidrList('')).toEqual([]);
    expect(parseCidrList(' , ')).toEqual([]);
  });

  it.each([
    '10.0.0.0/33',
    'fd00::/129',
    'nope',
    '10.0.0.0/-1',
    '10.0.0.0/8.5',
    '10.0.0.0/ 8',
    '300.0.0.0/8',
    '10.0.0.0/',
  ])('refuses %s with an error that names the entry', (entry) => {
    expect(() => parseCidrList(`127.0.0.0/8, ${entry}`)).toThrow(
      `"${entry.trim()}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`,
    );
  });
});
