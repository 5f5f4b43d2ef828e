import {
  applyDecorators,
  Controller,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError, NotFoundError } from '@app/common';
import type { HeartbeatPingResponse } from '@app/contracts';
import { hashToken, HeartbeatService } from '@app/monitoring';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { Public } from '../auth/public.decorator.js';
import { Fails, Returns } from '../openapi/responses.js';

export const HEARTBEAT_LIMITS = Symbol('HEARTBEAT_LIMITS');

/** Per token (accepted pings) and per client address (pings with an unknown token), in-process per replica. */
export interface HeartbeatLimits {
  perToken: FailureLimiter;
  unknownPerClient: FailureLimiter;
}

const MESSAGE_MAX = 200;

/**
 * The push endpoint of heartbeat services: a job calls it when it ran. Public (the token is the credential) and
 * it says nothing but "recorded": no service name, state or anything else, and the same 404 for a token that
 * never existed and one that was rotated. One conditional DynamoDB write per accepted ping, on any replica.
 */
/** What GET and POST pings share: status, parameters, answers (the two verbs differ only in their summary). */
const PingDocs = (summary: string) =>
  applyDecorators(
    HttpCode(200),
    ApiOperation({ summary }),
    ApiParam({ name: 'token', description: 'The ping token shown when the heartbeat service was created' }),
    ApiQuery({ name: 'status', required: false, enum: ['ok', 'fail'], description: 'Default ok' }),
    ApiQuery({ name: 'msg', required: false, schema: { type: 'string', maxLength: MESSAGE_MAX } }),
    Returns(200, 'HeartbeatPingResponse', 'Recorded'),
    Fails(429, 'Too many pings for this token, or too many unknown tokens from this address (Retry-After)'),
  );

@Public()
@ApiTags('public')
@Controller('heartbeat')
export class HeartbeatController {
  constructor(
    private readonly heartbeats: HeartbeatService,
    @Inject(HEARTBEAT_LIMITS) private readonly limits: HeartbeatLimits,
  ) {}

  @Get(':token')
  @PingDocs('Heartbeat ping (GET): the job ran; ?status=fail&msg=… reports that it failed')
  get(
    @Param('token') token: string,
    @Query('status') status: unknown,
    @Query('msg') msg: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HeartbeatPingResponse> {
    return this.ping(token, status, msg, request, reply);
  }

  @Post(':token')
  @PingDocs('Heartbeat ping (POST, no body): the job ran; ?status=fail&msg=… reports a failure')
  post(
    @Param('token') token: string,
    @Query('status') status: unknown,
    @Query('msg') msg: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HeartbeatPingResponse> {
    return this.ping(token, status, msg, request, reply);
  }

  private async ping(
    token: string,
    status: unknown,
    msg: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<HeartbeatPingResponse> {
    const now = Date.now();
    const clientWait = this.limits.unknownPerClient.blockedFor(request.ip, now);
    if (clientWait > 0) this.tooMany(reply, clientWait, 'too many pings with unknown tokens from this address');
    const errors = [];
    if (status !== undefined && status !== 'ok' && status !== 'fail')
      errors.push({ path: 'status', value: status, rule: 'must be ok or fail' });
    if (msg !== undefined && (typeof msg !== 'string' || msg.length > MESSAGE_MAX))
      errors.push({ path: 'msg', value: msg, rule: `must be one text of at most ${MESSAGE_MAX} characters` });
    if (errors.length > 0) throw new InvalidInputError(errors);
    const key = hashToken(token);
    const tokenWait = this.limits.perToken.blockedFor(key, now);
    if (tokenWait > 0) this.tooMany(reply, tokenWait, 'too many pings for this token');
    const recorded = await this.heartbeats.ping(token, {
      at: now,
      status: status === 'fail' ? 'fail' : 'ok',
      ...(typeof msg === 'string' ? { message: msg } : {}),
    });
    if (!recorded) {
      this.limits.unknownPerClient.fail(request.ip, now);
      throw new NotFoundError('no heartbeat service has this token (it may have been rotated)');
    }
    this.limits.perToken.fail(key, now);
    return { ok: true };
  }

  private tooMany(reply: FastifyReply, retryAfterMs: number, message: string): never {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    throw new HttpException(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
