import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AdminIdentity } from '@app/contracts';
import { actorOf, type AdminRequest } from '../auth/admin-auth.guard.js';
import { Returns } from '../openapi/responses.js';

/** Sign-in check for the console: a token is good when this answers 200; nothing else is read. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/whoami')
export class AdminSessionController {
  @Get()
  @ApiOperation({ summary: 'The token’s fingerprint (as the audit log records it); 401 when the token is not valid' })
  @Returns(200, 'AdminIdentity', 'The token is valid')
  whoami(@Req() request: AdminRequest): AdminIdentity {
    return { actor: actorOf(request) };
  }
}
