import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { withoutPassword, type FieldError } from '@app/common';
import { TargetPolicy } from './target-policy.js';

/** Resolves a host name to every address it has (what the probe would connect to). */
export type HostLookup = (hostname: string) => Promise<string[]>;

const systemLookup: HostLookup = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** One service's URL to check, and where its error goes. */
export interface ResolvableTarget {
  path: string;
  url: string;
}

/**
 * The SSRF policy at validation time for host names: `http://localhost/` is refused when it is written, with the
 * same error as `http://127.0.0.1/`, instead of being accepted and then failing every check as "blocked". A name
 * that does not resolve now (no DNS, a typo, a host not yet created) is accepted: the probe checks every resolved
 * address again at connect time, so nothing is reachable that the policy forbids either way.
 */
export class TargetResolver {
  constructor(
    readonly policy: TargetPolicy,
    private readonly resolve: HostLookup = systemLookup,
    private readonly timeoutMs = 3000,
  ) {}

  /** Field errors for every target whose host name resolves to an address the policy blocks. */
  async check(targets: readonly ResolvableTarget[], concurrency = 32): Promise<FieldError[]> {
    const byHost = new Map<string, ResolvableTarget[]>();
    for (const target of targets) {
      const host = hostOf(target.url);
      if (host === null) continue;
      const list = byHost.get(host);
      if (list) list.push(target);
      else byHost.set(host, [target]);
    }
    const errors: FieldError[] = [];
    const hosts = [...byHost.keys()];
    const worker = async (): Promise<void> => {
      for (let host = hosts.shift(); host !== undefined; host = hosts.shift()) {
        const blocked = await this.blockedAddress(host);
        if (blocked === null) continue;
        for (const target of byHost.get(host) ?? [])
          errors.push({
            path: target.path,
            value: withoutPassword(target.url),
            rule: `points at a ${blocked.replace(/^blocked target /, 'blocked address ')}, which ${host} resolves to; allow it with TARGET_ALLOW_CIDRS`,
          });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, byHost.size) }, worker));
    // Reported in the order the targets were given, like every other validation error.
    const order = new Map(targets.map((target, index) => [target.path, index]));
    return errors.sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0));
  }

  /** The policy's reason for the first blocked address the host resolves to, null when none is (or it won't resolve). */
  private async blockedAddress(host: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.timeoutMs);
      timer.unref();
    });
    try {
      const addresses = await Promise.race([this.resolve(host).catch(() => null), timeout]);
      for (const address of addresses ?? []) {
        const decision = this.policy.check(address);
        if (!decision.allowed) return decision.reason;
      }
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The host name of an http(s) URL, or null for a literal IP (checked already) or something that is not a URL. */
function hostOf(url: string): string | null {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === '' || isIP(host) !== 0 ? null : host;
  } catch {
    return null;
  }
}
