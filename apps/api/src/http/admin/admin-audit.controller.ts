import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuditEntry, Page } from '@app/contracts';
import { AuditLog, InvalidInputError } from '@app/common';
import { Returns } from '../openapi/responses.js';
import { toAuditEntry } from './admin-views.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @ApiOperation({ summary: 'Admin changes, newest first: who (token fingerprint), what, before/after, when' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'nextCursor from the previous page',
    schema: { type: 'string', pattern: '^[\\w-]{1,200}$' },
  })
  @Returns(200, 'AuditPage', 'A page of audit entries')
  async list(@Query('limit') limit?: string, @Query('cursor') cursor?: string): Promise<Page<AuditEntry>> {
    const size = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new InvalidInputError([{ path: 'limit', value: limit, rule: 'must be an integer between 1 and 100' }]);
    }
    if (cursor !== undefined && !/^[\w-]{1,200}$/.test(cursor)) {
      throw new InvalidInputError([
        { path: 'cursor', value: cursor, rule: 'must be a nextCursor value from a previous page' },
      ]);
    }
    const page = await this.audit.list(size, cursor ?? null);
    return { items: page.items.map(toAuditEntry), nextCursor: page.nextCursor };
  }
}
