import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerFactoryHandler } from 'fastify';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { parseCidrList, parseDuration } from '@app/monitoring';
import type { EnvironmentVariables } from '../config/environment.js';
import { apiError, sendApiError } from './errors/api-error.js';
import { requestIdOf } from './request-id.js';

export { requestIdOf } from './request-id.js';

/** Answers a request before Fastify sees it, or returns false to let Fastify (and Nest) handle it. */
export type EarlyResponder = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * X-Forwarded-For is believed only when the socket peer is a trusted proxy (TRUSTED_PROXY_CIDRS), and then only
 * for TRUST_PROXY_HOPS hops: hop 0 is the peer (the ALB), hop 1 the next proxy (CloudFront), and so on.
 */
function proxyTrust(hops: number, cidrs: string): false | ((address: string, hop: number) => boolean) {
  if (hops === 0) return false;
  const peer = trustedPeer(cidrs);
  return (address, hop) => (hop === 0 ? peer(address) : hop < hops);
}

/** Whether a socket peer is one of the trusted proxies (TRUSTED_PROXY_CIDRS). */
export function trustedPeer(cidrs: string): (address: string) => boolean {
  const trusted = new BlockList();
  for (const cidr of parseCidrList(cidrs)) trusted.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return (address) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const plain = mapped ?? address;
    return isIP(plain) !== 0 && trusted.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * Server-side timeouts against slow clients (slowloris, trickled bodies): the headers must arrive within
 * HTTP_HEADERS_TIMEOUT and the whole request within HTTP_REQUEST_TIMEOUT (then Node answers 408 and closes), an
 * idle keep-alive connection closes after HTTP_KEEP_ALIVE_TIMEOUT, and a socket with no traffic at all after the
 * longest of those plus 5 s. Node checks the first two once a second (connectionsCheckingInterval).
 */
export function serverTimeouts(
  env: Pick<EnvironmentVariables, 'HTTP_HEADERS_TIMEOUT' | 'HTTP_REQUEST_TIMEOUT' | 'HTTP_KEEP_ALIVE_TIMEOUT'>,
) {
  const ms = (text: string) => parseDuration(text) ?? 0;
  const headersTimeout = ms(env.HTTP_HEADERS_TIMEOUT);
  const requestTimeout = ms(env.HTTP_REQUEST_TIMEOUT);
  const keepAliveTimeout = ms(env.HTTP_KEEP_ALIVE_TIMEOUT);
  return {
    requestTimeout,
    keepAliveTimeout,
    connectionTimeout: Math.max(requestTimeout, keepAliveTimeout) + 5_000,
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: 1_000 },
  };
}

/**
 * Fastify as the API runs it: proxy trust, timeouts for slow clients, a 64 KiB body limit, prototype-poisoning keys refused by the JSON
 * parser, request ids taken from a well-formed X-Request-Id, and router errors answered in the API's error shape.
 * `early` sees every request first (the fast path of the hot public reads, fast-reads.ts); `onServer` is given the
 * Node server before it listens (the fast path puts its socket-level reader in front of node:http's, wire-reads.ts).
 */
export function createFastifyAdapter(
  env: Pick<
    EnvironmentVariables,
    | 'TRUST_PROXY_HOPS'
    | 'TRUSTED_PROXY_CIDRS'
    | 'HTTP_HEADERS_TIMEOUT'
    | 'HTTP_REQUEST_TIMEOUT'
    | 'HTTP_KEEP_ALIVE_TIMEOUT'
  >,
  early: EarlyResponder = () => false,
  onServer: (server: Server) => void = () => undefined,
): FastifyAdapter {
  const timeouts = serverTimeouts(env);
  return new FastifyAdapter({
    ...timeouts,
    // The server Fastify would create (same options and timeouts), with `early` in front of Fastify's handler.
    serverFactory: (handler: FastifyServerFactoryHandler) => {
      const server = createServer(timeouts.http, (request, response) => {
        if (!early(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
      server.requestTimeout = timeouts.requestTimeout;
      server.setTimeout(timeouts.connectionTimeout);
      onServer(server);
      return server;
    },
    trustProxy: proxyTrust(env.TRUST_PROXY_HOPS, env.TRUSTED_PROXY_CIDRS),
    bodyLimit: 64 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The router rejects a malformed URL (400) or an over-long path parameter (414) before any hook runs; answer
    // those in the API's error shape too, without echoing the path.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.statusCode === 414;
      reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
      void sendApiError(
        reply,
        apiError(
          tooLong ? 414 : (error.statusCode ?? 400),
          tooLong ? '(url): a path segment is longer than 100 characters' : '(url): is not a valid URL path',
        ),
      );
    },
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers),
  });
}
