import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Cached } from '../openapi/responses.js';
import { Public } from '../auth/public.decorator.js';
import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StatusSnapshotService } from '@app/monitoring';
import { FastReads } from '../fast-reads.js';
import { sendCached, sendCompressed, statusCacheControl } from './cached-reply.js';

/**
 * Public read API: every answer comes from memory (0 database reads), with ETag/304 and CDN-friendly caching.
 * /status and /history are also served by the fast path (fast-reads.ts) with the same representations; these
 * routes answer whatever it hands on (and are what OpenAPI documents).
 */
@Public()
@ApiTags('public')
@Controller()
export class StatusController {
  private readonly statusCache: string;
  private readonly historyCache = 'public, max-age=60, s-maxage=60, stale-while-revalidate=300, stale-if-error=86400';

  constructor(
    private readonly snapshot: StatusSnapshotService,
    config: ConfigService,
    fastReads: FastReads,
  ) {
    this.statusCache = statusCacheControl(config.getOrThrow<number>('http.statusCacheSeconds'));
    fastReads.serve('status', { document: () => snapshot.currentStatus(), cacheControl: this.statusCache });
    fastReads.serve('history', { document: () => snapshot.currentHistory(), cacheControl: this.historyCache });
  }

  @Get('status')
  @ApiOperation({ summary: 'The whole page: every service, open incidents, upcoming maintenance (from memory)' })
  @Cached('StatusResponse', 'The current status')
  status(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return sendCompressed(request, reply, this.snapshot.currentStatus(), this.statusCache);
  }

  @Get('history')
  @ApiOperation({ summary: '90 daily uptime bars and a latency sparkline per service' })
  @Cached('HistoryResponse', 'The history')
  history(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return sendCompressed(request, reply, this.snapshot.currentHistory(), this.historyCache);
  }

  // Built per request (not kept), so compressing it would cost CPU on every hit: sent as is.
  @Get('services/:id')
  @ApiOperation({ summary: 'One service: status, recent checks, 90 daily bars' })
  @Cached('ServiceDetailResponse', 'The service')
  service(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const doc = this.snapshot.detail(id);
    if (!doc) throw new NotFoundException(`service ${JSON.stringify(id.slice(0, 100))} does not exist`);
    sendCached(request, reply, doc, this.statusCache);
  }
}
