import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedDocument } from '@app/monitoring';

/** Sends a pre-serialised document with its ETag, answering 304 when the client already has it. */
export function sendCached<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  doc: CachedDocument<T>,
  cacheControl: string,
  contentType = 'application/json; charset=utf-8',
): void {
  reply.header('cache-control', cacheControl).header('etag', doc.etag);
  const match = request.headers['if-none-match'];
  if (match !== undefined && (match === doc.etag || match.split(/\s*,\s*/).includes(doc.etag) || match === '*')) {
    reply.code(304).send();
    return;
  }
  reply.header('content-type', contentType).send(doc.body);
}
