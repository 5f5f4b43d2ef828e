import type { AxiosResponse, AxiosStatic } from 'axios';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { ClientRequest } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { rootCertificates, TLSSocket } from 'node:tls';
import { isExpectedStatus, type HttpCheck } from '../catalog/service-definition.js';
import { firstFailedAssertion, needsBody } from './assertions/assertions.js';
import { WorkerRegexRunner, type RegexRunner } from './assertions/regex-runner.js';
import { certificateWarning, notAfterOf } from './certificate.js';
import { loadAxios } from './lazy-axios.js';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';
import type { TargetPolicy } from './target-policy.js';

export interface HttpProberOptions {
  /** Bytes of body read before the probe stops reading (the response still counts). */
  maxBodyBytes: number;
  maxRedirects: number;
  userAgent: string;
  /**
   * Certificate authorities trusted besides the system's (PEM). For private CAs and the tests' own CA; the
   * process-wide NODE_EXTRA_CA_CERTS works too.
   */
  extraCa?: string[];
}

export const DEFAULT_PROBER_OPTIONS: HttpProberOptions = {
  maxBodyBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'cloudops-status-page/0.1 (+uptime monitor)',
};

export class BlockedTargetError extends Error {
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
 * A DNS lookup that refuses any answer the SSRF policy blocks: every resolved address is checked at connect time,
 * so a host name can't smuggle in 169.254.169.254. Shared by the HTTP and TCP probes.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return ((
    hostname: string,
    options: { all?: boolean; family?: number },
    callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void,
  ) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      for (const entry of addresses) {
        if (!policy.check(entry.address).allowed) {
          return callback(new BlockedTargetError(`blocked target ${entry.address}`));
        }
      }
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
      if (options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}

/** Throws BlockedTargetError when `host` is a literal IP the policy refuses (names are checked at lookup). */
export function assertLiteralAllowed(host: string, policy: TargetPolicy): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 0) return;
  const decision = policy.check(bare);
  if (!decision.allowed) throw new BlockedTargetError(`blocked target ${bare}`);
}

/** The trusted roots for a TLS client: the system's, plus any extra CAs. Undefined means "Node's default". */
export function trustedCa(extraCa: string[] | undefined): string[] | undefined {
  return extraCa && extraCa.length > 0 ? [...rootCertificates, ...extraCa] : undefined;
}

/**
 * HTTP(S) probe with one hard deadline over DNS, connect, TLS, headers, redirects and body; a body cap; manual
 * redirects (each hop re-checked, credentials dropped when the origin changes); TLS verified unless the service
 * says `insecureTls`; the SSRF policy applied to every resolved address; the leaf certificate's notAfter recorded;
 * response assertions judged on the body already read.
 */
export class HttpProber extends Prober {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly insecureAgent: https.Agent;

  constructor(
    private readonly policy: TargetPolicy,
    private readonly options: HttpProberOptions = DEFAULT_PROBER_OPTIONS,
    private readonly regex: RegexRunner = new WorkerRegexRunner(),
  ) {
    super();
    const lookup = guardedLookup(policy);
    const ca = trustedCa(options.extraCa);
    this.httpAgent = new http.Agent({ keepAlive: false, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: false, lookup, rejectUnauthorized: true, ...(ca ? { ca } : {}) });
    this.insecureAgent = new https.Agent({ keepAlive: false, lookup, rejectUnauthorized: false });
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const check = target.check;
    if (check.kind !== 'http') throw new Error(`HttpProber cannot check kind ${check.kind}`);
    // Before the clock starts: a first use that still imports it is not the target's latency.
    const axios = await loadAxios();
    const startedAt = Date.now();
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, target.timeoutMs);
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    let certificateNotAfter: number | null = null;
    try {
      const response = await this.follow(axios, target.url, check, controller.signal, (notAfter) => {
        certificateNotAfter ??= notAfter;
      });
      const statusCode = response.status;
      const keep = needsBody(check.assertions);
      let body: string | null = null;
      if (check.method === 'HEAD') (response.data as Readable).destroy();
      else body = await this.drain(response.data as Readable, controller.signal, keep);
      const cert = certificateNotAfter === null ? {} : { certificateNotAfter };
      if (!isExpectedStatus(check, statusCode))
        return { startedAt, ok: false, latencyMs: elapsed(), statusCode, error: `HTTP ${statusCode}`, ...cert };
      const failure = await firstFailedAssertion(check.assertions, {
        headers: flatHeaders(response.headers),
        body,
        regex: this.regex,
        remainingMs: () => target.timeoutMs - (performance.now() - started),
      });
      // Latency is the response's, not the assertions' (a regex may wait for the worker).
      const latencyMs = elapsed();
      if (failure !== null)
        return { startedAt, ok: false, latencyMs, statusCode, error: failure.slice(0, 200), ...cert };
      const warning =
        certificateNotAfter === null
          ? null
          : certificateWarning(certificateNotAfter, Date.now(), check.certExpiryWarningDays);
      return { startedAt, ok: true, latencyMs, statusCode, ...cert, ...(warning === null ? {} : { warning }) };
    } catch (error) {
      const reason = timedOut ? `timeout after ${target.timeoutMs}ms` : describeError(error);
      return {
        startedAt,
        ok: false,
        latencyMs: elapsed(),
        error: reason.slice(0, 200),
        ...(certificateNotAfter === null ? {} : { certificateNotAfter }),
      };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private async follow(
    axios: AxiosStatic,
    startUrl: string,
    check: HttpCheck,
    signal: AbortSignal,
    onCertificate: (notAfter: number) => void,
  ): Promise<AxiosResponse> {
    let url = startUrl;
    let method = check.method;
    let body = check.body;
    const origin = new URL(startUrl).origin;
    for (let hop = 0; ; hop += 1) {
      assertLiteralAllowed(new URL(url).hostname, this.policy);
      // Custom headers and credentials go only to the origin the admin configured, never to a redirect elsewhere.
      const sameOrigin = new URL(url).origin === origin;
      const response = await axios.request({
        url,
        method,
        signal,
        ...(body === null ? {} : { data: body }),
        responseType: 'stream',
        maxRedirects: 0,
        proxy: false,
        decompress: true,
        validateStatus: () => true,
        httpAgent: this.httpAgent,
        httpsAgent: check.insecureTls ? this.insecureAgent : this.httpsAgent,
        headers: requestHeaders(check, this.options.userAgent, sameOrigin, body),
      });
      const socket = (response.request as ClientRequest | undefined)?.socket;
      if (socket instanceof TLSSocket) {
        const notAfter = notAfterOf(socket.getPeerCertificate(false));
        if (notAfter !== null) onCertificate(notAfter);
      }
      const location = response.headers.location as unknown;
      if (!check.followRedirects || !REDIRECTS.has(response.status) || typeof location !== 'string') return response;
      (response.data as Readable).destroy();
      if (hop >= this.options.maxRedirects) throw new Error(`too many redirects (max ${this.options.maxRedirects})`);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new Error(`redirect to unsupported scheme ${next.protocol}`);
      url = next.toString();
      // 303 always, and 301/302 after a POST (as browsers do), continue with a GET without the body.
      if (response.status === 303 || (method === 'POST' && (response.status === 301 || response.status === 302))) {
        method = 'GET';
        body = null;
      }
    }
  }

  /**
   * Reads the body until its end or the byte cap, whichever comes first; the deadline still applies. Keeps what
   * it read (UTF-8 decoded) only when an assertion needs it.
   */
  private async drain(stream: Readable, signal: AbortSignal, keep: boolean): Promise<string | null> {
    let bytes = 0;
    const chunks: Buffer[] = [];
    const onAbort = () => stream.destroy(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream) {
        const buffer = chunk as Buffer;
        const room = this.options.maxBodyBytes - bytes;
        if (keep) chunks.push(buffer.length > room ? buffer.subarray(0, room) : buffer);
        bytes += buffer.length;
        if (bytes >= this.options.maxBodyBytes) break;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
    return keep ? Buffer.concat(chunks).toString('utf8') : null;
  }
}

function requestHeaders(
  check: HttpCheck,
  userAgent: string,
  sameOrigin: boolean,
  body: string | null,
): Record<string, string> {
  const headers: Record<string, string> = { 'User-Agent': userAgent, Accept: '*/*' };
  if (!sameOrigin) return headers;
  for (const { name, value } of check.headers) headers[name] = value;
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  if (body !== null && !has('content-type')) headers['Content-Type'] = jsonOrText(body);
  if (check.auth?.type === 'basic')
    headers.Authorization = `Basic ${Buffer.from(`${check.auth.username}:${check.auth.password}`).toString('base64')}`;
  else if (check.auth?.type === 'bearer') headers.Authorization = `Bearer ${check.auth.token}`;
  return headers;
}

/** A POST body without a Content-Type header is sent as JSON when it parses as JSON, else as UTF-8 text. */
function jsonOrText(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

/** Response headers as assertions see them: lower-case names, repeated values joined with ", ". */
function flatHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(', ');
  }
  return out;
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
