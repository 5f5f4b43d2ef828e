import { Body, Controller, HttpCode, HttpException, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SubscribeResponse } from '@app/contracts';
import { SubscriptionService, SubscriptionUnavailableError } from '@app/incidents';
import { Public } from '../auth/public.decorator.js';
import { Fails, Takes } from '../openapi/responses.js';
import { SubscribeLimits, type SubscribeLimit } from './subscribe-limits.js';

const TOO_MANY: Record<SubscribeLimit, string> = {
  client: 'too many subscribe requests from this network address; try again later',
  address: 'this address was sent a confirmation link recently; check its inbox (and spam folder) or try tomorrow',
  page: 'this page is taking many subscriptions right now; try again later',
};

/**
 * "Subscribe to updates": the visitor's address goes to SNS (e-mail protocol, filter policy on the chosen
 * services); AWS sends the confirmation and, in every message, the unsubscribe link. Rate-limited per client,
 * per address and for the page.
 */
@Public()
@ApiTags('public')
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly limits: SubscribeLimits,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Subscribe an e-mail address to incident and maintenance notices (double opt-in by AWS)' })
  @Takes('SubscribeRequest')
  @ApiResponse({
    status: 202,
    description: 'AWS is sending a confirmation link to the address',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/SubscribeResponse' } } },
  })
  @Fails(400, 'Bad e-mail address or unknown service id (field, value and rule named)')
  @Fails(409, 'The address is subscribed with a different choice of services')
  @Fails(429, 'Too many requests from this client, for this address or for the page (Retry-After says when)')
  @Fails(503, 'Subscriptions are not enabled, or AWS could not take it right now')
  async subscribe(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscribeResponse> {
    if (!this.subscriptions.enabled)
      throw new HttpException('subscriptions are not enabled on this status page', HttpStatus.SERVICE_UNAVAILABLE);
    const clientWait = this.limits.admitClient(request.ip);
    if (clientWait > 0) this.tooMany(reply, 'client', clientWait);
    const subscription = this.subscriptions.parse(body);
    const limited = this.limits.admitSubscription(subscription.email);
    if (limited) this.tooMany(reply, limited.limit, limited.retryAfterMs);
    try {
      return await this.subscriptions.subscribe(subscription);
    } catch (error) {
      if (error instanceof SubscriptionUnavailableError)
        throw new HttpException(error.message, HttpStatus.SERVICE_UNAVAILABLE);
      throw error;
    }
  }

  private tooMany(reply: FastifyReply, limit: SubscribeLimit, retryAfterMs: number): never {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    throw new HttpException(TOO_MANY[limit], HttpStatus.TOO_MANY_REQUESTS);
  }
}
