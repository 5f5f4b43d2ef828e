import type { FastifyInstance } from 'fastify';
import { apiError, sendApiError } from './errors/api-error.js';

/** What a booting app serves before its read of every service is in: the stored page, health, the dashboard. */
const OPEN_DURING_BOOT = new Set(['/api/status', '/api/health']);
/** Seconds a refused client is told to wait: a 10,000-service boot reads for ~10 s. */
const RETRY_AFTER_SECONDS = 5;

/**
 * While a boot serves the stored status page (MonitoringScheduler: its own read of every service is still going
 * on), every other API route answers 503 with Retry-After: what they would read (services, incidents' pages,
 * metrics, the admin API's catalog) is not loaded yet, and an empty answer would be a wrong one. The dashboard's
 * files, /api/status (the stored page) and /api/health (503 until ready: a load balancer keeps its traffic on the
 * replicas that are) are served.
 */
export function registerBootGate(fastify: FastifyInstance, isOpen: () => boolean): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (isOpen()) return done();
    const url = request.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!path.startsWith('/api/') || OPEN_DURING_BOOT.has(path)) return done();
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    sendApiError(
      reply,
      apiError(503, 'starting: the stored state of the services is still loading; /api/status serves the stored page'),
    );
  });
}
