import { PublishCommand, SubscribeCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@nestjs/common';
import { InvalidInputError } from '@app/common';
import {
  acceptsForVisitors,
  Notifier,
  SubscriptionExistsError,
  SubscriptionGateway,
  SubscriptionUnavailableError,
  visitorAttributes,
  visitorBody,
  visitorFilterPolicy,
  visitorSubject,
  type Notification,
} from '@app/incidents';

/**
 * The visitors' channel: one Publish per notice to the subscribers topic. `service` (String.Array of the affected
 * service ids) is what the subscription filter policies match, so each subscriber gets the notices about the
 * services they chose; `kind` and `event` are there for finer policies.
 */
export class SnsSubscriberNotifier extends Notifier {
  readonly channel = 'subscribers' as const;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {
    super();
  }

  override accepts(notification: Notification): boolean {
    return acceptsForVisitors(notification);
  }

  async send(notification: Notification): Promise<void> {
    if (!acceptsForVisitors(notification)) throw new Error(`subscribers do not take ${notification.subject} notices`);
    const { service, kind, event } = visitorAttributes(notification);
    const attributes: Record<string, MessageAttributeValue> = {
      kind: { DataType: 'String', StringValue: kind },
      event: { DataType: 'String', StringValue: event },
    };
    if (service) attributes.service = { DataType: 'String.Array', StringValue: JSON.stringify(service) };
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: visitorSubject(notification),
          Message: visitorBody(notification),
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`SNS Publish to ${this.topicArn} failed: ${reason}`, { cause: error });
    }
  }
}

/**
 * Visitor subscriptions are SNS e-mail subscriptions on the subscribers topic: AWS mails the confirmation link
 * (double opt-in) and an unsubscribe link in every message, and keeps the addresses; we keep none.
 */
export class SnsSubscriptionGateway extends SubscriptionGateway {
  readonly enabled = true;
  private readonly logger = new Logger('Subscriptions');

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {
    super();
  }

  async subscribe(email: string, serviceIds: readonly string[] | null): Promise<void> {
    const policy = visitorFilterPolicy(serviceIds);
    try {
      await this.client.send(
        new SubscribeCommand({
          TopicArn: this.topicArn,
          Protocol: 'email',
          Endpoint: email,
          // The ARN even while the subscription waits for confirmation (and the same answer for a repeat).
          ReturnSubscriptionArn: true,
          ...(policy === null ? {} : { Attributes: { FilterPolicy: policy } }),
        }),
      );
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const message = error instanceof Error ? error.message : String(error);
      if (/InvalidParameter/.test(name) && /already exists/i.test(message))
        throw new SubscriptionExistsError(
          'this address is already subscribed with a different choice of services; unsubscribe with the link in any ' +
            'update (or the confirmation mail) first, then subscribe again',
        );
      if (/InvalidParameter/.test(name) && /endpoint|email/i.test(message))
        throw new InvalidInputError([
          { path: 'email', value: email, rule: 'was refused as an e-mail address by the notification service' },
        ]);
      this.logger.warn(`SNS Subscribe on ${this.topicArn} failed: ${name}: ${message.slice(0, 300)}`);
      throw new SubscriptionUnavailableError(
        'the notification service could not take the subscription; try again later',
      );
    }
  }
}
