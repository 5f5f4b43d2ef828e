import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IncidentCache } from '@app/incidents';
import { MaintenanceCache, MonitorView, PageSettings } from '@app/monitoring';
import { apiError, sendApiError } from '../http/errors/api-error.js';
import { isApiPath, looksLikeFile, pageRoute } from './page-routes.js';

/**
 * Local mode: the same process serves the dashboard build at /. In AWS the dashboard lives on S3 behind
 * CloudFront and this is simply unused. Page routes get index.html (200); a page that does not exist — an unknown
 * path, a service or incident id nobody has — gets index.html with 404, so the app shows its not-found view and
 * crawlers and monitors see the truth. Anything that looks like a file, and every /api path, gets a JSON 404.
 */
export async function serveDashboard(app: NestFastifyApplication, webDir: string): Promise<void> {
  const root = resolve(webDir);
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('Dashboard').warn(`no dashboard build at ${root} (run npm run build:web); serving the API only`);
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  const monitor = app.get(MonitorView);
  const incidents = app.get(IncidentCache);
  const maintenance = app.get(MaintenanceCache);
  const page = app.get(PageSettings);
  const template = readFileSync(join(root, 'index.html'), 'utf8');
  let rendered = { version: -1, html: template };
  // The configured title is in the HTML before any script runs (tab title, crawlers, the loading shell).
  const indexHtml = (): string => {
    if (rendered.version !== page.version) rendered = { version: page.version, html: brand(template, page.page.title) };
    return rendered.html;
  };
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
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
    if (isApiPath(path)) return sendApiError(reply, apiError(404, 'no such API route'));
    if (looksLikeFile(path)) return sendApiError(reply, apiError(404, 'no such page or file'));
    const route = pageRoute(path);
    const exists =
      route === null
        ? false
        : route.kind === 'service'
          ? monitor.find(route.id) !== undefined
          : route.kind === 'incident'
            ? incidents.get(route.id) !== undefined
            : route.kind === 'maintenance'
              ? maintenance.all().some((window) => window.id === route.id)
              : true;
    return reply
      .code(exists ? 200 : 404)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(indexHtml());
  });
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** index.html with the configured title in <title>, the description and the loading shell's brand. */
export function brand(html: string, title: string): string {
  const text = title.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
  return html
    .replace(/<title>[^<]*<\/title>/, `<title>${text}</title>`)
    .replace(/(<span class="brand-name">)[^<]*(<\/span>)/, `$1${text}$2`)
    .replace(
      /(<meta\s+name="description"\s+content=")[^"]*(")/,
      `$1Live status of ${text}: current availability, active incidents, scheduled maintenance and uptime history.$2`,
    );
}
