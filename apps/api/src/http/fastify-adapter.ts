import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { parseCidrList } from '@app/monitoring';
import type { EnvironmentVariables } from '../config/environment.js';
import { apiError, sendApiError } from './errors/api-error.js';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

/**
 * X-Forwarded-For is believed only when the socket peer is a trusted proxy (TRUSTED_PROXY_CIDRS), and then only
 * for TRUST_PROXY_HOPS hops: hop 0 is the peer (the ALB), hop 1 the next proxy (CloudFront), and so on.
 */
function proxyTrust(hops: number, cidrs: string): false | ((address: string, hop: number) => boolean) {
  if (hops === 0) return false;
  const trusted = new BlockList();
  for (const cidr of parseCidrList(cidrs)) trusted.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return (address, hop) => (hop === 0 ? trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4') : hop < hops);
}

/**
 * Fastify as the API runs it: proxy trust, a 64 KiB body limit, prototype-poisoning keys refused by the JSON
 * parser, request ids taken from a well-formed X-Request-Id, and router errors answered in the API's error shape.
 */
export function createFastifyAdapter(
  env: Pick<EnvironmentVariables, 'TRUST_PROXY_HOPS' | 'TRUSTED_PROXY_CIDRS'>,
): FastifyAdapter {
  return new FastifyAdapter({
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
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
}
