import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Cached } from '../openapi/responses.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { IncidentSummary, Page, ServiceStatus } from '@app/contracts';
import { IncidentCache, loadBadgeRenderer, renderAtomFeed, toSummary } from '@app/incidents';
import { InvalidInputError, NotFoundError } from '@app/common';
import { PageSettings, StatusSnapshotService, type CachedDocument } from '@app/monitoring';
import { ConfigService } from '@nestjs/config';
import { Public } from '../auth/public.decorator.js';
import { embeddable, sendCached } from '../status/cached-reply.js';

const CACHE = 'public, max-age=30, s-maxage=30, stale-while-revalidate=120, stale-if-error=86400';
/** Badges sit in READMEs behind image proxies (GitHub's camo): short freshness, long fallbacks. */
const STATUS_BADGE_CACHE = 'public, max-age=60, s-maxage=60, stale-while-revalidate=300, stale-if-error=86400';
const UPTIME_BADGE_CACHE = 'public, max-age=300, s-maxage=300, stale-while-revalidate=3600, stale-if-error=86400';

function document<T>(data: T, body: string | Buffer, now: number): CachedDocument<T> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return { data, body: bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"`, builtAt: now };
}

/**
 * Public incident history, Atom feed and SVG badges — from memory (IncidentCache, status snapshot), never from
 * the database, and memoised per cache version so a burst costs one render.
 */
@Public()
@ApiTags('public')
@Controller()
export class IncidentsController {
  private memo = new Map<string, CachedDocument<unknown>>();
  private memoVersion = -1;
  private readonly baseUrl: string;

  constructor(
    private readonly cache: IncidentCache,
    private readonly snapshot: StatusSnapshotService,
    private readonly page: PageSettings,
    config: ConfigService,
  ) {
    this.baseUrl = config.getOrThrow<string>('http.publicBaseUrl');
  }

  @Get('incidents')
  @ApiOperation({ summary: 'Incident history, newest first (last 90 days)' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'nextCursor from the previous page',
    schema: { type: 'string' },
  })
  @Cached('IncidentPage', 'A page of incidents')
  list(
    @Query('limit') limit: string | undefined,
    @Query('cursor') cursor: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const doc = this.memoised(`list:${limit ?? ''}:${cursor ?? ''}`, () => incidentPage(this.cache, limit, cursor));
    sendCached(request, reply, doc, CACHE);
  }

  @Get('incidents/feed.atom')
  @ApiOperation({ summary: 'Atom feed of the last 50 incidents' })
  @Cached({ mediaType: 'application/atom+xml', description: 'An Atom 1.0 feed' }, 'The feed')
  feed(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const doc = this.memoised(`feed:${this.page.version}`, (now) => {
      const incidents = this.cache.all().slice(0, 50).map(toSummary);
      // The feed's <updated> is its newest change, not the render time: same content, same bytes, same ETag.
      const changes = incidents.flatMap((incident) => incident.updates.map((update) => update.at));
      return renderAtomFeed({
        incidents,
        selfUrl: `${this.baseUrl}/api/incidents/feed.atom`,
        siteUrl: this.baseUrl,
        title: `${this.page.page.title} — incidents`,
        updatedAt: changes.length > 0 ? changes.reduce((a, b) => (a > b ? a : b)) : new Date(now).toISOString(),
      });
    });
    sendCached(request, embeddable(reply), doc, CACHE, 'application/atom+xml; charset=utf-8');
  }

  @Get('incidents/:id')
  @ApiOperation({ summary: 'One incident with its updates' })
  @Cached('IncidentSummary', 'The incident')
  get(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const doc = this.memoised(`incident:${id}`, () => {
      const incident = this.cache.get(id);
      if (!incident) throw new NotFoundError(`incident ${JSON.stringify(id.slice(0, 100))} does not exist`);
      return toSummary(incident);
    });
    sendCached(request, reply, doc, CACHE);
  }

  @Get('badges/:serviceId/uptime.svg')
  @ApiOperation({ summary: '30-day uptime badge of a service' })
  @Cached({ mediaType: 'image/svg+xml', description: 'An SVG badge' }, 'The badge')
  async uptime(
    @Param('serviceId') serviceId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const badges = await loadBadgeRenderer();
    const doc = this.badge(`uptime:${serviceId}`, serviceId, (service) =>
      badges.uptime(`${service.name} 30d`, service.uptime['30d']),
    );
    sendCached(request, embeddable(reply), doc, UPTIME_BADGE_CACHE, 'image/svg+xml; charset=utf-8');
  }

  @Get('badges/:file')
  @ApiOperation({ summary: 'Status badge of a service: /api/badges/<serviceId>.svg' })
  @Cached({ mediaType: 'image/svg+xml', description: 'An SVG badge' }, 'The badge')
  async status(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const id = /^(.+)\.svg$/.exec(file)?.[1];
    if (id === undefined)
      throw new NotFoundError(
        `badge ${JSON.stringify(file.slice(0, 100))} does not exist (use /api/badges/<serviceId>.svg)`,
      );
    const badges = await loadBadgeRenderer();
    const doc = this.badge(`status:${id}`, id, (service) => badges.status(service.name, service.state));
    sendCached(request, embeddable(reply), doc, STATUS_BADGE_CACHE, 'image/svg+xml; charset=utf-8');
  }

  /** A badge rendered once per status snapshot (keyed by its ETag), not once per request. */
  private badge(key: string, serviceId: string, render: (service: ServiceStatus) => string): CachedDocument<unknown> {
    const status = this.snapshot.currentStatus();
    return this.memoised(`${key}:${status.etag}`, () => {
      const service = status.data.services.find((candidate) => candidate.id === serviceId);
      if (!service) throw new NotFoundError(`service ${JSON.stringify(serviceId.slice(0, 100))} does not exist`);
      return render(service);
    });
  }

  private memoised<T>(key: string, build: (now: number) => T | string): CachedDocument<unknown> {
    const version = this.cache.version;
    if (version !== this.memoVersion || this.memo.size > 1000) {
      this.memo = new Map();
      this.memoVersion = version;
    }
    let doc = this.memo.get(key);
    if (!doc) {
      const now = Date.now();
      const data = build(now);
      doc = typeof data === 'string' ? document(null, data, now) : document(data, JSON.stringify(data), now);
      this.memo.set(key, doc);
    }
    return doc;
  }
}

/**
 * One page of the incident history (the cache: last 90 days, newest first), for the public list and the admin
 * one; `cursor` is the id of the last incident of the previous page.
 */
export function incidentPage(
  cache: IncidentCache,
  limit: string | undefined,
  cursor: string | undefined,
): Page<IncidentSummary> {
  const size = limit === undefined ? 20 : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > 100)
    throw new InvalidInputError([{ path: 'limit', value: limit, rule: 'must be an integer between 1 and 100' }]);
  const all = cache.all();
  const start = cursor === undefined ? 0 : all.findIndex((incident) => incident.id === cursor) + 1;
  if (cursor !== undefined && start === 0)
    throw new InvalidInputError([
      { path: 'cursor', value: cursor, rule: 'must be a nextCursor value from a previous page' },
    ]);
  const items = all.slice(start, start + size).map(toSummary);
  return { items, nextCursor: start + size < all.length ? (items.at(-1)?.id ?? null) : null };
}
