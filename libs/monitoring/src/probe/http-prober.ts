import axios, { type AxiosResponse } from 'axios';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { isExpectedStatus } from '../catalog/service-definition.js';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';
import type { TargetPolicy } from './target-policy.js';

export interface HttpProberOptions {
  /** Bytes of body read before the probe stops reading (the response still counts). */
  maxBodyBytes: number;
  maxRedirects: number;
  userAgent: string;
}

export const DEFAULT_PROBER_OPTIONS: HttpProberOptions = {
  maxBodyBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'cloudops-status-page/0.1 (+uptime monitor)',
};

class BlockedTargetError extends Error {
  readonly code = 'EBLOCKED';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TLS_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to verify the certificate issuer',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

/**
 * HTTP(S) probe with one hard deadline over DNS, connect, TLS, headers, redirects and body; a body cap; manual
 * redirects (each hop re-checked); TLS verification; and the SSRF policy applied to every resolved address.
 */
export class HttpProber extends Prober {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly policy: TargetPolicy,
    private readonly options: HttpProberOptions = DEFAULT_PROBER_OPTIONS,
  ) {
    super();
    const lookup = this.guardedLookup.bind(this) as LookupFunction;
    this.httpAgent = new http.Agent({ keepAlive: false, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: false, lookup, rejectUnauthorized: true });
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const startedAt = Date.now();
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, target.timeoutMs);
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    try {
      const response = await this.follow(target, controller.signal);
      const statusCode = response.status;
      if (target.method !== 'HEAD') await this.drain(response.data as Readable, controller.signal);
      else (response.data as Readable).destroy();
      const latencyMs = elapsed();
      if (!isExpectedStatus(target, statusCode))
        return { startedAt, ok: false, latencyMs, statusCode, error: `HTTP ${statusCode}` };
      return { startedAt, ok: true, latencyMs, statusCode };
    } catch (error) {
      const reason = timedOut ? `timeout after ${target.timeoutMs}ms` : describeError(error);
      return { startedAt, ok: false, latencyMs: elapsed(), error: reason.slice(0, 200) };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private async follow(target: ProbeTarget, signal: AbortSignal): Promise<AxiosResponse> {
    let url = target.url;
    let method = target.method;
    for (let hop = 0; ; hop += 1) {
      this.assertLiteralAllowed(url);
      const response = await axios.request({
        url,
        method,
        signal,
        responseType: 'stream',
        maxRedirects: 0,
        proxy: false,
        decompress: true,
        validateStatus: () => true,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        headers: { 'User-Agent': this.options.userAgent, Accept: '*/*' },
      });
      const location = response.headers.location as unknown;
      if (!REDIRECTS.has(response.status) || typeof location !== 'string') return response;
      (response.data as Readable).destroy();
      if (hop >= this.options.maxRedirects) throw new Error(`too many redirects (max ${this.options.maxRedirects})`);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new Error(`redirect to unsupported scheme ${next.protocol}`);
      url = next.toString();
      if (response.status === 303) method = 'GET';
    }
  }

  /** Reads the body until its end or the byte cap, whichever comes first; the deadline still applies. */
  private async drain(stream: Readable, signal: AbortSignal): Promise<void> {
    let bytes = 0;
    const onAbort = () => stream.destroy(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream) {
        bytes += (chunk as Buffer).length;
        if (bytes >= this.options.maxBodyBytes) break;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  private assertLiteralAllowed(url: string): void {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) === 0) return;
    const decision = this.policy.check(host);
    if (!decision.allowed) throw new BlockedTargetError(`blocked target ${host}`);
  }

  private guardedLookup(
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void,
  ): void {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      for (const entry of addresses) {
        if (!this.policy.check(entry.address).allowed) {
          return callback(new BlockedTargetError(`blocked target ${entry.address}`));
        }
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  }
}

/** Short, stable reasons: the code users search for, not a stack. */
export function describeError(error: unknown): string {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (current instanceof BlockedTargetError) return current.message;
    if (typeof code === 'string') {
      if (code === 'EBLOCKED' && typeof message === 'string') return message;
      if (TLS_REASONS[code]) return TLS_REASONS[code];
      if (/^E[A-Z_]+$/.test(code) && !code.startsWith('ERR_')) return code;
    }
  }
  const message = (error as { message?: unknown })?.message;
  return typeof message === 'string' && message !== '' ? message : 'probe failed';
}
