import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiError, sendApiError } from '../http/errors/api-error.js';

/**
 * Local mode: the same process serves the dashboard build at /. In AWS the dashboard lives on S3 behind
 * CloudFront and this is simply unused. Unknown non-API paths fall back to index.html (client-side routes).
 */
export async function serveDashboard(app: NestFastifyApplication, webDir: string): Promise<void> {
  const root = resolve(webDir);
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('Dashboard').warn(`no dashboard build at ${root} (run npm run build:web); serving the API only`);
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    maxAge: '1h',
    setHeaders: (res, path) => {
      if (path.endsWith('index.html') || path.endsWith('config.json')) res.header('cache-control', 'no-cache');
      else if (/\.[0-9a-z]{8,}\.(js|css)$/i.test(path) || /-[A-Z0-9]{8,}\.(js|css)$/.test(path))
        res.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  // Client-side routes (/services/:id) get index.html; static files above win over this wildcard.
  fastify.get('/*', (request, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/api') {
      return sendApiError(reply, apiError(404, 'no such API route'));
    }
    // A missing asset (e.g. a bundle from an older build) must 404, not get index.html as JavaScript.
    if (/\.[a-z0-9]{1,8}$/i.test(request.url.split('?')[0] ?? '')) {
      return sendApiError(reply, apiError(404, 'no such file'));
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
