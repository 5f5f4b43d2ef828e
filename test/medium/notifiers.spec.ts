import { SNSClient } from '@aws-sdk/client-sns';
import { SlackNotifier } from '@app/incidents';
import { notification as incidentNotification } from '@app/incidents/testing';
import { SnsNotifier } from '../../libs/aws/src/adapters/sns.notifier.js';
import { SlackReceiver } from '../support/slack-receiver.js';
import { SnsReceiver } from '../support/sns-receiver.js';

/** Two services, a critical impact, and text that needs escaping in every channel. */
const notification = incidentNotification({
  incidentId: 'inc-42',
  severity: 'critical',
  title: 'Checkout API is down <!channel>',
  serviceIds: ['checkout', 'payments'],
  serviceNames: ['Checkout API', 'Payments'],
  message: 'Checks fail with HTTP 503 & timeouts.',
  url: 'http://127.0.0.1/incidents/inc-42',
  at: '2026-01-10T12:03:00.000Z',
});

interface ReceivedSlack {
  text: string;
  blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
}

describe('SlackNotifier against a local incoming webhook', () => {
  const receiver = new SlackReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  afterEach(() => {
    receiver.failWith(null);
    receiver.hang(false);
  });

  it('posts one JSON Block Kit message with the incident, escaped', async () => {
    const before = receiver.messages.length;
    await new SlackNotifier(receiver.url).send(notification);

    const [message] = (await receiver.waitFor(before + 1, 2000)).slice(before) as ReceivedSlack[];
    expect(receiver.requests.at(-1)?.method).toBe('POST');
    expect(receiver.requests.at(-1)?.contentType).toMatch(/^application\/json/);
    expect(message!.text).toContain('[DOWN] Checkout API is down &lt;!channel&gt;');
    expect(message!.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(message!.blocks[1]!.fields!.map((field) => field.text)).toEqual(
      expect.arrayContaining([
        '*Services*\nCheckout API, Payments',
        '*Last error*\nservice unavailable (HTTP 503)',
        '*Severity*\ncritical',
      ]),
    );
    expect(message!.blocks[2]!.text!.text).toBe('Checks fail with HTTP 503 &amp; timeouts.');
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });

  it('throws with the status, and without the webhook URL, when Slack answers 500', async () => {
    receiver.failWith(500);
    const error = await new SlackNotifier(receiver.url).send(notification).then(
      () => null,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(/HTTP 500/);
    expect(String(error?.stack)).not.toContain(receiver.url);
    expect(String(error?.stack)).not.toContain('XXXXXXXX');

    receiver.failWith(null);
    await expect(new SlackNotifier(receiver.url).send(notification)).resolves.toBeUndefined();
  });

  it('gives up within its timeout when the webhook never answers', async () => {
    receiver.hang(true);
    const started = Date.now();
    await expect(new SlackNotifier(receiver.url, { timeoutMs: 300 }).send(notification)).rejects.toThrow(
      /no answer within 300ms/,
    );
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1000);
  });

  it('does not follow a redirect', async () => {
    const redirecting = new SlackReceiver();
    await redirecting.start();
    try {
      redirecting.failWith(302);
      await expect(new SlackNotifier(redirecting.url).send(notification)).rejects.toThrow(/HTTP 302/);
      expect(redirecting.requests).toHaveLength(1);
    } finally {
      await redirecting.stop();
    }
  });
});

describe('SnsNotifier against a local SNS endpoint with the real SDK client', () => {
  const receiver = new SnsReceiver();
  const topicArn = 'arn:aws:sns:us-east-1:123456789012:status-alerts';
  let client: SNSClient;

  beforeAll(async () => {
    await receiver.start();
    client = new SNSClient({
      endpoint: receiver.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await receiver.stop();
  });
  afterEach(() => receiver.failWith(null));

  it('publishes the subject, the plain-text body and the service/transition/severity attributes', async () => {
    const before = receiver.messages.length;
    await new SnsNotifier(client, topicArn).send(notification);

    const [message] = (await receiver.waitFor(before + 1, 2000)).slice(before);
    // SDK v3 speaks the AWS Query protocol to SNS: a form-encoded POST answered with XML.
    expect(receiver.requests.at(-1)?.contentType).toBe('application/x-www-form-urlencoded');
    expect(message).toMatchObject({
      topicArn,
      subject: '[DOWN] Checkout API is down <!channel>',
      attributes: { service: 'checkout,payments', transition: 'opened', severity: 'critical' },
    });
    expect(message!.message).toContain('Services:      Checkout API (checkout), Payments (payments)');
    expect(message!.message).toContain('Since:         2026-01-10T12:00:00.000Z (3m ago)');
    expect(message!.message).toContain('Checks fail with HTTP 503 & timeouts.');
    expect(message!.message).toContain('Details: http://127.0.0.1/incidents/inc-42');
  });

  it('sends an ASCII subject of at most 100 characters for a long Unicode title', async () => {
    const before = receiver.messages.length;
    await new SnsNotifier(client, topicArn).send({ ...notification, title: 'Überlastung — “Kasse” '.repeat(10) });
    const [message] = (await receiver.waitFor(before + 1, 2000)).slice(before);
    expect(message!.subject!.length).toBeLessThanOrEqual(100);
    expect(message!.subject).toMatch(/^\[DOWN\] Uberlastung - "Kasse" [\x20-\x7e]*\.\.\.$/);
  });

  it('throws when SNS answers with an error', async () => {
    receiver.failWith(500);
    await expect(new SnsNotifier(client, topicArn).send(notification)).rejects.toThrow(/InternalError/);
  });
});
