import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import { OnCallNotifier, plainTextBody, subjectLine, type IncidentNotification } from '@app/incidents';

/**
 * SNS channel: one Publish per notification to the alerts topic, which fans out to email (and anything else
 * subscribed). `service`, `transition` and `severity` are message attributes so a subscription filter policy can
 * route, e.g., only `severity = critical` to a pager.
 */
export class SnsNotifier extends OnCallNotifier {
  readonly channel = 'sns' as const;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {
    super();
  }

  protected async sendIncident(notification: IncidentNotification): Promise<void> {
    const attributes: Record<string, MessageAttributeValue> = {
      transition: { DataType: 'String', StringValue: notification.transition },
      severity: { DataType: 'String', StringValue: notification.severity },
    };
    // SNS rejects an empty String attribute, so an incident without services simply has no `service` attribute.
    if (notification.serviceIds.length > 0)
      attributes.service = { DataType: 'String', StringValue: notification.serviceIds.join(',') };
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subjectLine(notification),
          Message: plainTextBody(notification),
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`SNS Publish to ${this.topicArn} failed: ${reason}`, { cause: error });
    }
  }
}
