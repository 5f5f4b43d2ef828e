import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiError, sendApiError } from '../http/errors/api-error.js';

/**
 * Local mode: the same process serves the dashboard build at /. In AWS the dashboard lives on S3 behind
 * CloudFront and this is simply unused. Page routes get index.html; every other unknown path, API or not, a JSON 404.
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
  // Only the dashboard's own page routes get index.html; static files above win over this wildcard.
  fastify.get('/*', (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PAGE_ROUTE.test(path)) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    if (isApiPath(path)) return sendApiError(reply, apiError(404, 'no such API route'));
    return sendApiError(reply, apiError(404, 'no such page or file'));
  });
}

/**
 * The dashboard's page routes: "/", "/services/<id>" (a service page), "/incidents/<id>" (the links in alerts
 * and the feed open the page) and "/admin" with its sub-pages (the console routes them itself). Anything else is a
 * 404 — a missing asset must not get index.html as JavaScript.
 */
const PAGE_ROUTE = /^\/(?:(?:services|incidents)\/[^/]+\/?|admin(?:\/[^.]*)?)?$/;

/**
 * Whether a path that matched no route is meant for the API once normalised the ways a client, proxy or CDN
 * might: percent-decoded ("%2f", "%61"), case-folded, ";params" dropped, "." segments and repeated slashes
 * removed. Such a path answers the API's JSON 404, never the dashboard.
 */
export function isApiPath(path: string): boolean {
  let decoded = path;
  for (let round = 0; round < 3; round += 1) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  const segments = decoded
    .toLowerCase()
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => segment.replace(/;.*$/, '').trim())
    .filter((segment) => segment !== '' && segment !== '.');
  return segments[0] === 'api';
}
