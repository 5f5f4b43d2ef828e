import { BlockList, isIP } from 'node:net';

/** Ranges a monitor must never reach unless the operator allows them: the host itself, the VPC, metadata. */
const BLOCKED_V4: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];
const BLOCKED_V6: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible'],
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['64:ff9b::', 96, 'NAT64'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

/** Parses "a.b.c.d/n, x::/n" into CIDR tuples; throws an Error naming the bad entry. */
export function parseCidrList(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [address = '', prefixText] = part.split('/');
      const version = isIP(address);
      const maxPrefix = version === 6 ? 128 : 32;
      const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
      if (
        version === 0 ||
        !Number.isInteger(prefix) ||
        prefix < 0 ||
        prefix > maxPrefix ||
        !/^\d+$/.test(prefixText ?? '0')
      ) {
        throw new Error(`"${part}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
      }
      return { address, prefix, family: version === 6 ? ('ipv6' as const) : ('ipv4' as const) };
    });
}

/** Extracts the IPv4 address embedded in ::ffff:a.b.c.d / ::ffff:XXXX:XXXX, or null. */
function mappedV4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted =
    /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1] ?? null;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1] ?? '0', 16);
  const low = parseInt(hex[2] ?? '0', 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/**
 * The SSRF policy: decides whether a resolved address may be probed. Applied to literal IPs when a service is
 * validated and again to every resolved address at connect time (so DNS can't smuggle in 169.254.169.254).
 */
export class TargetPolicy {
  private readonly allow = new BlockList();
  private readonly blocked: { list: BlockList; reason: string }[] = [];

  /** `allowCidrs` as given (TARGET_ALLOW_CIDRS): the probe thread builds the same policy from it. */
  constructor(readonly allowCidrs: string = '') {
    for (const cidr of parseCidrList(allowCidrs)) this.allow.addSubnet(cidr.address, cidr.prefix, cidr.family);
    for (const [address, prefix, reason] of BLOCKED_V4) this.blocked.push(one(address, prefix, 'ipv4', reason));
    for (const [address, prefix, reason] of BLOCKED_V6) this.blocked.push(one(address, prefix, 'ipv6', reason));
  }

  check(address: string): PolicyDecision {
    const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
    const version = isIP(bare);
    if (version === 0) return { allowed: false, reason: `blocked target ${bare} (not an IP address)` };
    const family = version === 6 ? 'ipv6' : 'ipv4';
    const embedded = version === 6 ? mappedV4(bare) : null;
    if (this.allow.check(bare, family) || (embedded !== null && this.allow.check(embedded, 'ipv4'))) {
      return { allowed: true };
    }
    // Node's BlockList matches an IPv4 address against the IPv6 rule ::ffff:0:0/96, so IPv4 sees only IPv4 rules.
    for (const { list, reason } of version === 4 ? this.blocked.slice(0, BLOCKED_V4.length) : this.blocked) {
      if (list.check(bare, family)) return { allowed: false, reason: `blocked target ${bare} (${reason})` };
    }
    if (embedded !== null) return { allowed: false, reason: `blocked target ${bare} (IPv4-mapped)` };
    return { allowed: true };
  }
}

function one(address: string, prefix: number, family: 'ipv4' | 'ipv6', reason: string) {
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { list, reason };
}
