import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MessageReceiver } from './loopback-server.js';

export interface ReceivedSnsMessage {
  topicArn: string;
  subject: string | undefined;
  message: string;
  attributes: Record<string, string>;
}

const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A tiny local SNS endpoint (Publish only) on 127.0.0.1. It speaks the AWS Query protocol the v3 SDK uses for SNS
 * (form-encoded POST, XML answer) and, should a future SDK switch, the JSON protocol (`X-Amz-Target:
 * AmazonSNS.Publish`). Signatures are not checked.
 */
export class SnsReceiver extends MessageReceiver<ReceivedSnsMessage> {
  /** Protocol facts of every request, to see what the SDK actually sends. */
  readonly requests: { contentType: string | undefined; target: string | undefined; body: string }[] = [];
  url = '';
  private failStatus: number | null = null;

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
    if (this.failStatus !== null || action !== 'Publish') {
      const status = this.failStatus ?? 400;
      const [code, message] =
        status >= 500 ? ['InternalError', 'Injected failure'] : ['InvalidAction', `Unsupported action ${action ?? ''}`];
      response
        .writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
        .end(
          `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
            `<Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      return;
    }
    const attributes: Record<string, string> = {};
    for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
      const prefix = `MessageAttributes.entry.${index}`;
      attributes[form.get(`${prefix}.Name`)!] = form.get(`${prefix}.Value.StringValue`) ?? '';
    }
    const messageId = this.record({
      topicArn: form.get('TopicArn') ?? '',
      subject: form.get('Subject') ?? undefined,
      message: form.get('Message') ?? '',
      attributes,
    });
    response
      .writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId })
      .end(
        `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
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
      MessageAttributes?: Record<string, { StringValue?: string }>;
    };
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.MessageAttributes ?? {}))
      attributes[name] = value.StringValue ?? '';
    const messageId = this.record({
      topicArn: input.TopicArn ?? '',
      subject: input.Subject,
      message: input.Message ?? '',
      attributes,
    });
    response.writeHead(200, headers).end(JSON.stringify({ MessageId: messageId }));
  }

  private record(message: ReceivedSnsMessage): string {
    this.received(message);
    return randomUUID();
  }
}
