import { Resolver } from 'node:dns/promises';
import type { DnsCheck } from '../catalog/service-definition.js';
import { parseDnsServer } from '../catalog/dns-server.js';
import { shown } from './assertions/assertions.js';
import { BlockedTargetError } from './http-prober.js';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';
import type { TargetPolicy } from './target-policy.js';

/** Answer codes as users know them from dig: NXDOMAIN, SERVFAIL, REFUSED; "no A record" for an empty answer. */
function reasonOf(error: unknown, check: DnsCheck, timeoutMs: number): string {
  if (error instanceof BlockedTargetError) return error.message;
  const code = (error as { code?: unknown })?.code;
  switch (code) {
    case 'ENOTFOUND':
      return 'NXDOMAIN';
    case 'ESERVFAIL':
      return 'SERVFAIL';
    case 'EREFUSED':
      return 'REFUSED';
    case 'ENODATA':
      return `no ${check.type} record`;
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return `timeout after ${timeoutMs}ms`;
    default:
      return typeof code === 'string' ? code : 'DNS query failed';
  }
}

/** Names compare without case and without the trailing dot; everything else as written. */
function normalise(value: string, type: DnsCheck['type']): string {
  if (type === 'TXT') return value;
  return value
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/\.(\s|$)/g, '$1');
}

/**
 * DNS probe: one query of the configured type against the system resolver (resolv.conf) or the named server (a
 * literal address, checked against the SSRF policy again here), cancelled at the deadline. NXDOMAIN, SERVFAIL,
 * an empty answer and a timeout are distinct reasons; `expect` values must all be among the answers.
 */
export class DnsProber extends Prober {
  constructor(private readonly policy: TargetPolicy) {
    super();
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const check = target.check;
    if (check.kind !== 'dns') throw new Error(`DnsProber cannot check kind ${check.kind}`);
    const startedAt = Date.now();
    const started = performance.now();
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    const resolver = new Resolver({ timeout: target.timeoutMs, tries: 1 });
    const timer = setTimeout(() => resolver.cancel(), target.timeoutMs);
    try {
      if (check.server !== null) {
        const server = parseDnsServer(check.server);
        if (!server) throw new Error(`bad DNS server ${check.server}`);
        const decision = this.policy.check(server.address);
        if (!decision.allowed) throw new BlockedTargetError(`blocked target ${server.address}`);
        resolver.setServers([
          server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`,
        ]);
      }
      const answers = await query(resolver, check);
      const latencyMs = elapsed();
      const seen = answers.map((answer) => normalise(answer, check.type));
      for (const expected of check.expect) {
        if (!seen.includes(normalise(expected, check.type)))
          return {
            startedAt,
            ok: false,
            latencyMs,
            error: `assertion expect ${shown(expected)} failed: saw ${shown(answers.join(', '), 100)}`.slice(0, 200),
          };
      }
      return { startedAt, ok: true, latencyMs };
    } catch (error) {
      return { startedAt, ok: false, latencyMs: elapsed(), error: reasonOf(error, check, target.timeoutMs) };
    } finally {
      clearTimeout(timer);
      resolver.cancel();
    }
  }
}

async function query(resolver: Resolver, check: DnsCheck): Promise<string[]> {
  switch (check.type) {
    case 'A':
      return resolver.resolve4(check.name);
    case 'AAAA':
      return resolver.resolve6(check.name);
    case 'CNAME':
      return resolver.resolveCname(check.name);
    case 'MX':
      return (await resolver.resolveMx(check.name)).map(({ priority, exchange }) => `${priority} ${exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(check.name)).map((chunks) => chunks.join(''));
    default: {
      const unreachable: never = check.type;
      return unreachable;
    }
  }
}
