import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@app/common';
import type { IncidentSummary, MaintenanceWindow, Page } from '@app/contracts';
import { IncidentCache, IncidentCommands, MaintenanceService, toSummary } from '@app/incidents';
import { incidentPage } from '../incidents/incidents.controller.js';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';
import { Fails, NoContent, Returns, Takes } from '../openapi/responses.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/incidents')
export class AdminIncidentsController {
  constructor(
    private readonly incidents: IncidentCommands,
    private readonly cache: IncidentCache,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Incidents of the last 90 days, newest first, uncached (the console reads its own writes)' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'nextCursor from the previous page',
    schema: { type: 'string' },
  })
  @Returns(200, 'IncidentPage', 'A page of incidents')
  list(@Query('limit') limit?: string, @Query('cursor') cursor?: string): Page<IncidentSummary> {
    return incidentPage(this.cache, limit, cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident with every update, uncached' })
  @Returns(200, 'IncidentSummary', 'The incident')
  get(@Param('id') id: string): IncidentSummary {
    const incident = this.cache.get(id);
    if (!incident) throw new NotFoundError(`incident ${JSON.stringify(id.slice(0, 100))} does not exist`);
    return toSummary(incident);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a manual incident (notify: true also alerts on-call as "[INCIDENT]")' })
  @Takes('CreateIncidentRequest')
  @Returns(201, 'IncidentSummary', 'Opened')
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<IncidentSummary> {
    return toSummary(await this.incidents.create(body, actorOf(request)));
  }

  @Post(':id/updates')
  @HttpCode(201)
  @ApiOperation({ summary: 'Post a public update; status moves investigating → identified → monitoring → resolved' })
  @Takes('IncidentUpdateRequest')
  @Returns(201, 'IncidentSummary', 'The incident with the update')
  @Fails(409, 'Already resolved, an automatic incident whose service is still down, or a concurrent change')
  async update(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<IncidentSummary> {
    return toSummary(await this.incidents.addUpdate(id, body, actorOf(request)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit title, impact or affected services' })
  @Takes('EditIncidentRequest')
  @Returns(200, 'IncidentSummary', 'Changed')
  @Fails(409, 'Changed concurrently; retry')
  async edit(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<IncidentSummary> {
    return toSummary(await this.incidents.edit(id, body, actorOf(request)));
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/maintenance')
export class AdminMaintenanceController {
  constructor(private readonly maintenance: MaintenanceService) {}

  @Get()
  @ApiOperation({ summary: 'Scheduled maintenance windows (recent and upcoming)' })
  @Returns(200, 'MaintenanceWindow', 'Every window', true)
  list(): MaintenanceWindow[] {
    return this.maintenance.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Schedule maintenance: services show "maintenance", checks continue, no incident or alert' })
  @Takes('MaintenanceRequest')
  @Returns(201, 'MaintenanceWindow', 'Scheduled')
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<MaintenanceWindow> {
    return this.maintenance.create(body, actorOf(request));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Cancel a maintenance window' })
  @NoContent('Cancelled')
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<void> {
    await this.maintenance.delete(id, actorOf(request));
  }
}
