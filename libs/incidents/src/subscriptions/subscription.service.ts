import { Injectable } from '@nestjs/common';
import type { SubscribeResponse } from '@app/contracts';
import { InvalidInputError, parseDto } from '@app/common';
import { MonitorView } from '@app/monitoring';
import { SubscribeDto } from './subscribe.dto.js';
import { SubscriptionGateway } from './subscription-gateway.js';

/** A validated subscription request: the address and the services (null: all). */
export interface Subscription {
  email: string;
  serviceIds: string[] | null;
}

/**
 * "Subscribe to updates": checks the request, then asks the gateway (SNS) to subscribe the address with a filter
 * policy on the chosen services. Rate limits are the HTTP layer's (they need the client address).
 */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly gateway: SubscriptionGateway,
    private readonly monitor: MonitorView,
  ) {}

  get enabled(): boolean {
    return this.gateway.enabled;
  }

  /** The request as a Subscription, or an InvalidInputError naming each bad field. */
  parse(body: unknown): Subscription {
    const dto = parseDto(SubscribeDto, body);
    const unknown = (dto.services ?? []).filter((id) => !this.monitor.find(id));
    if (unknown.length > 0)
      throw new InvalidInputError(
        unknown.map((id) => ({ path: 'services', value: id, rule: 'is not a service on this status page' })),
      );
    return { email: dto.email, serviceIds: dto.services ? [...new Set(dto.services)].sort() : null };
  }

  async subscribe(subscription: Subscription): Promise<SubscribeResponse> {
    await this.gateway.subscribe(subscription.email, subscription.serviceIds);
    return {
      status: 'confirmation_sent',
      services: subscription.serviceIds ?? 'all',
      message:
        'Almost done: AWS Notifications is sending a confirmation link to this address. Updates start once you ' +
        'confirm; every message carries an unsubscribe link.',
    };
  }
}
