import { Controller, Get, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Cached } from '../openapi/responses.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { IncidentCache, maintenancePhase, statuspageDocuments, type StatuspageDocuments } from '@app/incidents';
import { MaintenanceCache, StatusSnapshotService, type CachedDocument } from '@app/monitoring';
import { Public } from '../auth/public.decorator.js';
import { FastReads } from '../fast-reads.js';
import { EMBEDDABLE_HEADERS, embeddable, sendCompressed, statusCacheControl } from '../status/cached-reply.js';

type Served = { [K in keyof StatuspageDocuments]: CachedDocument<StatuspageDocuments[K]> };

function cached<T>(data: T, now: number): CachedDocument<T> {
  const body = Buffer.from(JSON.stringify(data));
  return { data, body, etag: `"${createHash('sha1').update(body).digest('base64url')}"`, builtAt: now };
}

/**
 * Atlassian Statuspage's public API v2, read-only, so widgets, chat bots and aggregators written for Statuspage work
 * against this page. Served from memory like /api/status (the status snapshot, the incident and maintenance caches:
 * no database read), rebuilt only when one of them changed or a maintenance window changed phase, with a strong
 * ETag per content coding (br, gzip, none: compressed once per rebuild) and the same Cache-Control. These GETs, and only these, may be read by any origin.
 */
@Public()
@ApiTags('statuspage-v2')
@Controller('v2')
export class StatuspageController {
  private readonly cacheControl: string;
  private readonly baseUrl: string;
  private readonly since = new Date().toISOString();
  private served: Served | null = null;
  private servedKey = '';

  constructor(
    private readonly snapshot: StatusSnapshotService,
    private readonly incidents: IncidentCache,
    private readonly maintenance: MaintenanceCache,
    config: ConfigService,
    fastReads: FastReads,
  ) {
    this.cacheControl = statusCacheControl(config.getOrThrow<number>('http.statusCacheSeconds'));
    this.baseUrl = config.getOrThrow<string>('http.publicBaseUrl');
    // The document widgets and aggregators poll: also served by the fast path, with the same headers.
    fastReads.serve('v2/summary.json', {
      document: () => this.documents().summary,
      cacheControl: this.cacheControl,
      headers: EMBEDDABLE_HEADERS,
    });
  }

  @Get('summary.json')
  @ApiOperation({ summary: 'Status indicator, components, unresolved incidents, upcoming and active maintenance' })
  @Cached('StatuspageSummaryResponse', 'The summary')
  summary(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'summary');
  }

  @Get('status.json')
  @ApiOperation({ summary: 'The page status indicator (none, minor, major, critical, maintenance)' })
  @Cached('StatuspageStatusResponse', 'The page status')
  status(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'status');
  }

  @Get('components.json')
  @ApiOperation({ summary: 'Every component (service) and component group with its status' })
  @Cached('StatuspageComponentsResponse', 'The components')
  components(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'components');
  }

  @Get('incidents.json')
  @ApiOperation({ summary: 'The 50 most recent incidents, resolved ones included' })
  @Cached('StatuspageIncidentsResponse', 'The incidents')
  allIncidents(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'incidents');
  }

  @Get('incidents/unresolved.json')
  @ApiOperation({ summary: 'Incidents in the investigating, identified or monitoring state' })
  @Cached('StatuspageIncidentsResponse', 'The unresolved incidents')
  unresolvedIncidents(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'unresolvedIncidents');
  }

  @Get('scheduled-maintenances.json')
  @ApiOperation({ summary: 'The 50 most recent scheduled maintenances' })
  @Cached('StatuspageScheduledMaintenancesResponse', 'The scheduled maintenances')
  scheduledMaintenances(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'scheduledMaintenances');
  }

  @Get('scheduled-maintenances/upcoming.json')
  @ApiOperation({ summary: 'Scheduled maintenances that have not started yet' })
  @Cached('StatuspageScheduledMaintenancesResponse', 'The upcoming maintenances')
  upcomingMaintenances(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'upcomingMaintenances');
  }

  @Get('scheduled-maintenances/active.json')
  @ApiOperation({ summary: 'Scheduled maintenances in progress' })
  @Cached('StatuspageScheduledMaintenancesResponse', 'The active maintenances')
  activeMaintenances(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'activeMaintenances');
  }

  private send(request: FastifyRequest, reply: FastifyReply, name: keyof StatuspageDocuments): Promise<void> {
    embeddable(reply);
    const doc: CachedDocument<unknown> = this.documents()[name];
    return sendCompressed(request, reply, doc, this.cacheControl);
  }

  /** The eight documents, rebuilt only when what they are made of changed (one build serves every endpoint). */
  private documents(now = Date.now()): Served {
    const status = this.snapshot.currentStatus(now);
    const windows = this.maintenance.all();
    const phases = windows.map((window) => maintenancePhase(window, now)[0]).join('');
    const key = `${status.etag}|${this.incidents.version}|${this.maintenance.version}|${phases}`;
    if (this.served && key === this.servedKey) return this.served;
    const docs = statuspageDocuments({
      baseUrl: this.baseUrl,
      services: this.snapshot.currentServices(now),
      overall: status.data.overall,
      incidents: this.incidents.all(),
      maintenance: windows,
      now,
      since: this.since,
    });
    this.served = {
      summary: cached(docs.summary, now),
      status: cached(docs.status, now),
      components: cached(docs.components, now),
      incidents: cached(docs.incidents, now),
      unresolvedIncidents: cached(docs.unresolvedIncidents, now),
      scheduledMaintenances: cached(docs.scheduledMaintenances, now),
      upcomingMaintenances: cached(docs.upcomingMaintenances, now),
      activeMaintenances: cached(docs.activeMaintenances, now),
    };
    this.servedKey = key;
    return this.served;
  }
}
