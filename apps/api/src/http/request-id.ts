import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

/** The request id: a well-formed X-Request-Id from the client (or the proxy in front), else a new UUID. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** `requestIdFrom` of a request's X-Request-Id header. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  return requestIdFrom(headers['x-request-id']);
}
