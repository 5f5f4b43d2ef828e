import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminService, HeartbeatTokenResponse, LastCheck } from '@app/contracts';
import { CatalogService, MonitorView, StatusSnapshotService, type CatalogChange } from '@app/monitoring';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';
import { Fails, NoContent, Returns, Takes } from '../openapi/responses.js';
import { toAdminService } from './admin-views.js';

const FILE_OWNED = 'The service comes from the services file: edit the file instead (reloaded on save or SIGHUP)';

/** Manage monitored services at run time. Thin: every rule lives in CatalogService. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/services')
export class AdminServicesController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly monitor: MonitorView,
    private readonly snapshot: StatusSnapshotService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List every monitored service (file and API) with its defaults applied' })
  @Returns(200, 'AdminService', 'Every service, sorted by id', true)
  list(): AdminService[] {
    const lastChecks = this.lastChecks();
    return this.catalog
      .list()
      .map((service) => toAdminService(service, this.monitor, lastChecks.get(service.id) ?? null));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a service; it is checked from the next tick on' })
  @Takes('ServiceDefinition')
  @Returns(201, 'AdminService', 'Created: the service with its defaults applied')
  @Fails(409, 'A service with this id already exists (in the file or the database)')
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return this.answer(await this.catalog.create(body, actorOf(request)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One service with its defaults applied' })
  @Returns(200, 'AdminService', 'The service')
  get(@Param('id') id: string): AdminService {
    return toAdminService(this.catalog.get(id), this.monitor, this.lastCheckOf(id));
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Replace the whole definition: omitted fields go back to (and keep following) their defaults',
  })
  @Takes('ServiceReplacement')
  @Returns(200, 'AdminService', 'Replaced')
  @Fails(409, FILE_OWNED)
  async replace(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return this.answer(await this.catalog.replace(id, body, actorOf(request)));
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change the fields sent, keep the rest as set (defaulted fields keep following their defaults); null clears group / latencyThresholdMs',
  })
  @Takes('ServicePatch')
  @Returns(200, 'AdminService', 'Changed')
  @Fails(409, FILE_OWNED)
  async patch(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return this.answer(await this.catalog.patch(id, body, actorOf(request)));
  }

  @Post(':id/heartbeat-token')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new ping token for a heartbeat service; the old one stops working at once' })
  @Returns(200, 'HeartbeatTokenResponse', 'The new token, shown this once')
  @Fails(409, 'The service comes from the services file, or is not a heartbeat service')
  async rotateHeartbeatToken(@Param('id') id: string, @Req() request: AdminRequest): Promise<HeartbeatTokenResponse> {
    const { token } = await this.catalog.rotateHeartbeatToken(id, actorOf(request));
    return { token, path: `/api/heartbeat/${token}` };
  }

  /** The service as the admin API shows it, plus the ping token when this change made one (shown this once). */
  private answer(change: CatalogChange): AdminService {
    return {
      ...toAdminService(change.service, this.monitor, this.lastCheckOf(change.service.id)),
      ...(change.heartbeatToken === undefined ? {} : { heartbeatToken: change.heartbeatToken }),
    };
  }

  /** Last checks by service id, from the status snapshot (the public /api/status leaves their time and HTTP status out). */
  private lastChecks(): Map<string, LastCheck | null> {
    return new Map(this.snapshot.currentServices().map((service) => [service.id, service.lastCheck]));
  }

  private lastCheckOf(id: string): LastCheck | null {
    return this.snapshot.currentServices().find((service) => service.id === id)?.lastCheck ?? null;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a service created through the API (its history expires with the TTL)' })
  @NoContent('Deleted')
  @Fails(409, FILE_OWNED)
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<void> {
    await this.catalog.delete(id, actorOf(request));
  }
}
