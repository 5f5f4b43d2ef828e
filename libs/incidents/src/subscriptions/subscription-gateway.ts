import { ConflictError } from '@app/common';

/** Port: whatever keeps visitor subscriptions (the SNS subscribers topic). We never store an address ourselves. */
export abstract class SubscriptionGateway {
  /** False when no subscribers topic is configured. */
  abstract readonly enabled: boolean;
  /**
   * Subscribes an e-mail address to the notices about `serviceIds` (null: all services). The provider mails the
   * confirmation link (double opt-in) and puts an unsubscribe link in every message. Repeating an identical
   * subscription is harmless; throws SubscriptionExistsError when the address is subscribed with another choice,
   * SubscriptionUnavailableError when the provider cannot be reached or refuses.
   */
  abstract subscribe(email: string, serviceIds: readonly string[] | null): Promise<void>;
}

/** The address already has a subscription for a different choice of services: HTTP 409. */
export class SubscriptionExistsError extends ConflictError {}

/** Subscriptions are not configured, or the provider failed: HTTP 503 (without the provider's details). */
export class SubscriptionUnavailableError extends Error {}

/** The gateway when no subscribers topic is configured. */
export class DisabledSubscriptionGateway extends SubscriptionGateway {
  readonly enabled = false;
  subscribe(): Promise<void> {
    return Promise.reject(new SubscriptionUnavailableError('subscriptions are not enabled on this status page'));
  }
}
