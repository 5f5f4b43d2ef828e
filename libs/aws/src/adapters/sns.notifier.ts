import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import {
  certificateBody,
  certificateSubjectLine,
  OnCallNotifier,
  plainTextBody,
  subjectLine,
  type CertificateNotification,
  type IncidentNotification,
} from '@app/incidents';

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
    await this.publish(subjectLine(notification), plainTextBody(notification), attributes);
  }

  /** A certificate warning: `transition=certificate`, `severity` minor (major once expired), `service` its id. */
  protected async sendCertificate(notification: CertificateNotification): Promise<void> {
    await this.publish(certificateSubjectLine(notification), certificateBody(notification), {
      transition: { DataType: 'String', StringValue: 'certificate' },
      severity: { DataType: 'String', StringValue: notification.threshold === 0 ? 'major' : 'minor' },
      service: { DataType: 'String', StringValue: notification.serviceId },
    });
  }

  private async publish(subject: string, message: string, attributes: Record<string, MessageAttributeValue>) {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subject,
          Message: message,
          MessageAttributes: attributes,
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`SNS Publish to ${this.topicArn} failed: ${reason}`, { cause: error });
    }
  }
}
