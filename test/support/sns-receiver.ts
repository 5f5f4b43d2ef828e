import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MessageReceiver } from './loopback-server.js';

export interface ReceivedSnsMessage {
  topicArn: string;
  subject: string | undefined;
  message: string;
  /** StringValue of each message attribute (a String.Array is its JSON text). */
  attributes: Record<string, string>;
  /** DataType of each message attribute. */
  attributeTypes: Record<string, string>;
}

/** One Subscribe call as SNS received it. */
export interface ReceivedSubscription {
  topicArn: string;
  protocol: string;
  endpoint: string;
  returnSubscriptionArn: boolean;
  /** Attributes.entry.N.key/value (FilterPolicy, FilterPolicyScope, ...). */
  attributes: Record<string, string>;
  subscriptionArn: string;
}

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A tiny local SNS endpoint (Publish and Subscribe) on 127.0.0.1. It speaks the AWS Query protocol the v3 SDK uses for SNS
 * (form-encoded POST, XML answer) and, should a future SDK switch, the JSON protocol (`X-Amz-Target:
 * AmazonSNS.Publish`). Signatures are not checked.
 */
export class SnsReceiver extends MessageReceiver<ReceivedSnsMessage> {
  /** Protocol facts of every request, to see what the SDK actually sends. */
  readonly requests: { contentType: string | undefined; target: string | undefined; body: string }[] = [];
  url = '';
  private failStatus: number | null = null;
  /** Every Subscribe call, in order (repeats included). */
  readonly subscribeCalls: ReceivedSubscription[] = [];
  /** Subscriptions by topic and endpoint, as SNS keeps them: a repeat with other attributes is refused. */
  private readonly subscriptions = new Map<string, ReceivedSubscription>();

  async start(): Promise<this> {
    this.url = await this.listen();
    return this;
  }

  /** Answer with an AWS-style error of this status (500 → InternalError, 4xx → InvalidParameter); null to recover. */
  failWith(status: number | null): void {
    this.failStatus = status;
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const contentType = request.headers['content-type'];
      const target = request.headers['x-amz-target'] as string | undefined;
      this.requests.push({ contentType, target, body });
      const json = (contentType ?? '').includes('json');
      if (json) this.handleJson(body, target, response);
      else this.handleQuery(body, response);
    });
  }

  private handleQuery(body: string, response: ServerResponse): void {
    const form = new URLSearchParams(body);
    const requestId = randomUUID();
    const action = form.get('Action');
    const fail = (status: number, code: string, message: string) =>
      response
        .writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
        .end(
          `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
            `<Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
    if (this.failStatus !== null) {
      const status = this.failStatus;
      if (status >= 500) fail(status, 'InternalError', 'Injected failure');
      else fail(status, 'InvalidParameter', 'Injected failure');
      return;
    }
    if (action === 'Subscribe') {
      this.handleSubscribe(form, requestId, response, fail);
      return;
    }
    if (action !== 'Publish') {
      fail(400, 'InvalidAction', `Unsupported action ${action ?? ''}`);
      return;
    }
    const attributes: Record<string, string> = {};
    const attributeTypes: Record<string, string> = {};
    for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
      const prefix = `MessageAttributes.entry.${index}`;
      const name = form.get(`${prefix}.Name`)!;
      attributes[name] = form.get(`${prefix}.Value.StringValue`) ?? '';
      attributeTypes[name] = form.get(`${prefix}.Value.DataType`) ?? '';
    }
    const messageId = this.record({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? undefined,
      message: form.get('Message') ?? '',
      attributes,
      attributeTypes,
    });
    response
      .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
      .end(
        `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
  }

  /**
   * Subscribe as SNS answers it: an email endpoint is pending confirmation (the ARN only with
   * ReturnSubscriptionArn), a repeat with the same attributes returns the same subscription, a repeat with other
   * attributes is refused with InvalidParameter.
   */
  private handleSubscribe(
    form: URLSearchParams,
    requestId: string,
    response: ServerResponse,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    const attributes: Record<string, string> = {};
    for (let index = 1; form.has(`Attributes.entry.${index}.key`); index += 1)
      attributes[form.get(`Attributes.entry.${index}.key`)!] = form.get(`Attributes.entry.${index}.value`) ?? '';
    const topicArn = form.get('TopicArn') ?? '';
    const protocol = form.get('Protocol') ?? '';
    const endpoint = form.get('Endpoint') ?? '';
    if (!topicArn || !protocol || !endpoint) {
      fail(400, 'InvalidParameter', 'Invalid parameter: TopicArn, Protocol and Endpoint are required');
      return;
    }
    const key = `${topicArn}\n${protocol}\n${endpoint.toLowerCase()}`;
    const existing = this.subscriptions.get(key);
    if (existing && JSON.stringify(existing.attributes) !== JSON.stringify(attributes)) {
      fail(
        400,
        'InvalidParameter',
        'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
      );
      return;
    }
    const subscription: ReceivedSubscription = {
      topicArn,
      protocol,
      endpoint,
      returnSubscriptionArn: form.get('ReturnSubscriptionArn') === 'true',
      attributes,
      subscriptionArn: existing?.subscriptionArn ?? `${topicArn}:${randomUUID()}`,
    };
    this.subscriptions.set(key, subscription);
    this.subscribeCalls.push(subscription);
    const arn = subscription.returnSubscriptionArn ? subscription.subscriptionArn : 'pending confirmation';
    response
      .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
      .end(
        `<SubscribeResponse xmlns="${SNS_NS}"><SubscribeResult><SubscriptionArn>${xml(arn)}</SubscriptionArn>` +
          `</SubscribeResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></SubscribeResponse>`,
      );
  }

  private handleJson(body: string, target: string | undefined, response: ServerResponse): void {
    const requestId = randomUUID();
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId };
    if (this.failStatus !== null || !(target ?? '').endsWith('.Publish')) {
      const status = this.failStatus ?? 400;
      const type = status >= 500 ? 'InternalError' : 'InvalidAction';
      response.writeHead(status, headers).end(JSON.stringify({ __type: type, message: 'Injected failure' }));
      return;
    }
    const input = JSON.parse(body) as {
      TopicArn?: string;
      Subject?: string;
      Message?: string;
      MessageAttributes?: Record<string, { StringValue?: string; DataType?: string }>;
    };
    const attributes: Record<string, string> = {};
    const attributeTypes: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
      attributes[name] = value.StringValue ?? '';
      attributeTypes[name] = value.DataType ?? '';
    }
    const messageId = this.record({
      topicArn: input.TopicArn ?? '',
      subject: input.Subject,
      message: input.Message ?? '',
      attributes,
      attributeTypes,
    });
    response.writeHead(200, headers).end(JSON.stringify({ MessageId: messageId }));
  }

  private record(message: ReceivedSnsMessage): string {
    this.received(message);
    return randomUUID();
  }
}
