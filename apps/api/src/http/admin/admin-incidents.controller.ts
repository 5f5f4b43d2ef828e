import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { IncidentSummary, MaintenanceWindow } from '@app/contracts';
import { IncidentCommands, MaintenanceService, toSummary } from '@app/incidents';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';
import { Fails, NoContent, Returns, Takes } from '../openapi/responses.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/incidents')
export class AdminIncidentsController {
  constructor(private readonly incidents: IncidentCommands) {}

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
