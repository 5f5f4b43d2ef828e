import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AdminService } from '@app/contracts';
import { CatalogService, MonitorView, ServiceDefinitionDto } from '@app/monitoring';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';
import { toAdminService } from './admin-views.js';

const ERRORS = [
  { status: 400, description: 'Invalid body: `details` lists each field path, value and rule' },
  { status: 401, description: 'Missing or wrong bearer token' },
  { status: 429, description: 'Too many failed authentication attempts from this address' },
];

/** Manage monitored services at run time. Thin: every rule lives in CatalogService. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/services')
export class AdminServicesController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly monitor: MonitorView,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List every monitored service (file and API) with its defaults applied' })
  list(): AdminService[] {
    return this.catalog.list().map((service) => toAdminService(service, this.monitor));
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a service; it is checked from the next tick on' })
  @ApiBody({ type: ServiceDefinitionDto })
  @ApiResponse({ status: 201, description: 'Created' })
  @ApiResponse({ status: 409, description: 'A service with this id already exists' })
  async create(@Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return toAdminService(await this.catalog.create(body, actorOf(request)), this.monitor);
  }

  @Get(':id')
  @ApiResponse({ status: 404, description: 'Unknown id' })
  get(@Param('id') id: string): AdminService {
    return toAdminService(this.catalog.get(id), this.monitor);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a service definition (omitted fields take their defaults)' })
  @ApiBody({ type: ServiceDefinitionDto })
  @ApiResponse({ status: 409, description: 'The service comes from the services file: edit the file instead' })
  async replace(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return toAdminService(await this.catalog.replace(id, body, actorOf(request)), this.monitor);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields, e.g. { "paused": true }; null clears group / latencyThresholdMs' })
  @ApiBody({ type: ServiceDefinitionDto, description: 'Any subset of the fields' })
  async patch(@Param('id') id: string, @Body() body: unknown, @Req() request: AdminRequest): Promise<AdminService> {
    return toAdminService(await this.catalog.patch(id, body, actorOf(request)), this.monitor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted' })
  async remove(@Param('id') id: string, @Req() request: AdminRequest): Promise<void> {
    await this.catalog.delete(id, actorOf(request));
  }
}

for (const { status, description } of ERRORS) ApiResponse({ status, description })(AdminServicesController);
