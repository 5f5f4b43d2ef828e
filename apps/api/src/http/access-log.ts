import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { redactHeartbeatToken } from '@app/monitoring';
import type { AdminRequest } from './auth/admin-auth.guard.js';

/**
 * One log line per admin request and per server error (the public read path is CDN traffic and is not logged):
 * request id, method, URL, status, time, the admin token fingerprint and the client address.
 */
export function registerAccessLog(fastify: FastifyInstance): void {
  const http = new Logger('Http');
  fastify.addHook('onResponse', (request, reply, done) => {
    done();
    if (!request.url.startsWith('/api/admin') && reply.statusCode < 500) return;
    // User-controlled text is JSON-encoded so it cannot forge log lines.
    const actor = (request as AdminRequest).adminActor ?? '-';
    // A heartbeat URL carries its token: log the service id it names, never the secret part.
    const url = request.url.replace(/^(\/api\/heartbeat\/)([^/?]*)/, (_all, prefix: string, token: string) => {
      let decoded = token;
      try {
        decoded = decodeURIComponent(token);
      } catch {
        /* logged redacted either way */
      }
      return `${prefix}${redactHeartbeatToken(decoded)}`;
    });
    http.log(
      `${request.id} ${request.method} ${JSON.stringify(url.slice(0, 300))} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms actor=${actor} ip=${request.ip}`,
    );
  });
}
