import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { IncidentSummary, MaintenanceWindow } from '@app/contracts';
import {
  CreateIncidentDto,
  EditIncidentDto,
  IncidentCommands,
  IncidentUpdateDto,
  MaintenanceDto,
  MaintenanceService,
  toSummary,
} from '@app/incidents';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/incidents')
export class AdminIncidentsController {
  constructor(private readonly incidents: IncidentCommands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a manual incident (notify: true also alerts on-call)' })
  @ApiBody({ type: CreateIncidentDto })
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<IncidentSummary> {
    return toSummary(await this.incidents.create(body, actorOf(request)));
  }

  @Post(':id/updates')
  @HttpCode(201)
  @ApiOperation({ summary: 'Post a public update; status moves investigating → identified → monitoring → resolved' })
  @ApiBody({ type: IncidentUpdateDto })
  @ApiResponse({ status: 409, description: 'Already resolved, or an automatic incident whose service is still down' })
  async update(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<IncidentSummary> {
    return toSummary(await this.incidents.addUpdate(id, body, actorOf(request)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Edit title, impact or affected services' })
  @ApiBody({ type: EditIncidentDto })
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
  list(): MaintenanceWindow[] {
    return this.maintenance.list();
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Schedule maintenance: services show "maintenance", checks continue, no incident or alert' })
  @ApiBody({ type: MaintenanceDto })
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<MaintenanceWindow> {
    return this.maintenance.create(body, actorOf(request));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<void> {
    await this.maintenance.delete(id, actorOf(request));
  }
}
