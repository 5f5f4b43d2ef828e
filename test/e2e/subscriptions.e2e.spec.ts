import { createHash, randomBytes } from 'node:crypto';
import type { ServiceDetailResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { SnsReceiver, type ReceivedSnsMessage } from '../support/sns-receiver.js';
import { TargetServer } from '../support/targets.js';

const ALERTS = 'arn:aws:sns:us-east-1:123456789012:status-alerts';
const SUBSCRIBERS = 'arn:aws:sns:us-east-1:123456789012:status-subscribers';
const token = `sp_${randomBytes(24).toString('base64url')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SNS's rule for a String.Array attribute against a policy of exact strings: any element equal to any value. */
function policyMatches(policy: string | undefined, message: ReceivedSnsMessage): boolean {
  if (policy === undefined) return true;
  const wanted = (JSON.parse(policy) as { service: string[] }).service;
  const raw = message.attributes.service;
  if (raw === undefined) return false;
  return (JSON.parse(raw) as string[]).some((id) => wanted.includes(id));
}

describe('visitor subscriptions end to end (real process, local SNS with Subscribe and Publish)', () => {
  const targets = new TargetServer();
  const sns = new SnsReceiver();
  let app: AppProcess;
  const visitorNotices = () => sns.messages.filter((message) => message.topicArn === SUBSCRIBERS);
  const alerts = () => sns.messages.filter((message) => message.topicArn === ALERTS);
  const state = async (id: string) =>
    (await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/${id}`)).recentChecks[0]?.state;
  const subscribe = (body: unknown) =>
    fetch(`${app.baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    await Promise.all([targets.start(), sns.start()]);
    targets.set('checkout', 'ok');
    targets.set('search', 'ok');
    app = await startApp({
      servicesYaml: `services:
  - { id: checkout, name: Checkout API, url: "${targets.baseUrl}/t/checkout", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 2 }
  - { id: search, name: Search, url: "${targets.baseUrl}/t/search", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 2 }
`,
      env: {
        ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex'),
        SNS_TOPIC_ARN: ALERTS,
        SUBSCRIBERS_TOPIC_ARN: SUBSCRIBERS,
        AWS_ENDPOINT_URL_SNS: sns.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        ALERT_RETRY_MIN: '200ms',
        PUBLIC_BASE_URL: 'https://status.example.com',
      },
    });
    await waitFor(
      () => state('checkout'),
      (s) => s === 'up',
      5000,
    );
  }, 30_000);

  afterAll(async () => {
    await app?.kill();
    await Promise.all([targets.stop(), sns.stop()]);
  });

  it('subscribes a visitor through SNS Subscribe: e-mail, ARN returned, a filter policy on the chosen service', async () => {
    const chosen = await subscribe({ email: 'visitor@example.com', services: ['checkout'] });
    expect(chosen.status).toBe(202);
    const everything = await subscribe({ email: 'all@example.com' });
    expect(everything.status).toBe(202);
    expect(sns.subscribeCalls).toEqual([
      expect.objectContaining({
        topicArn: SUBSCRIBERS,
        protocol: 'email',
        endpoint: 'visitor@example.com',
        returnSubscriptionArn: true,
        attributes: { FilterPolicy: '{"service":["checkout"]}' },
      }),
      expect.objectContaining({ endpoint: 'all@example.com', returnSubscriptionArn: true, attributes: {} }),
    ]);
  });

  it('publishes one visitor notice when a service goes down and one when it recovers, naming exactly it', async () => {
    targets.set('checkout', 'fail');
    await sns.waitFor(2, 8000); // the on-call alert and the visitor notice
    targets.set('checkout', 'ok');
    await waitFor(
      () => Promise.resolve(visitorNotices().length),
      (count) => count >= 2,
      10_000,
    );
    await sleep(2500); // more checks and reconcile passes must not repeat anything
    const notices = visitorNotices();
    expect(notices.map((notice) => notice.attributes)).toEqual([
      { kind: 'incident', event: 'opened', service: '["checkout"]' },
      { kind: 'incident', event: 'resolved', service: '["checkout"]' },
    ]);
    expect(notices.map((notice) => notice.attributeTypes.service)).toEqual(['String.Array', 'String.Array']);
    expect(notices.map((notice) => notice.subject)).toEqual([
      'Investigating: Checkout API unavailable',
      'Resolved: Checkout API available again',
    ]);
    // Visitor wording: no probe error, while on-call got it.
    for (const notice of notices) expect(notice.message).not.toMatch(/HTTP 503|503|Automated check|Severity/);
    expect(alerts().map((alert) => alert.attributes.transition)).toEqual(['opened', 'resolved']);
    expect(alerts()[0]?.message).toMatch(/HTTP 503/);
    // Both subscriptions' filter policies let both notices through; a Search-only policy would not.
    const [chosen, everything] = sns.subscribeCalls;
    expect(notices.every((notice) => policyMatches(chosen?.attributes.FilterPolicy, notice))).toBe(true);
    expect(notices.every((notice) => policyMatches(everything?.attributes.FilterPolicy, notice))).toBe(true);
    expect(notices.some((notice) => policyMatches('{"service":["search"]}', notice))).toBe(false);
  }, 30_000);

  it('announces scheduled maintenance to visitors, and not to on-call', async () => {
    const before = { visitors: visitorNotices().length, alerts: alerts().length };
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const endsAt = new Date(Date.now() + 7_200_000).toISOString();
    const response = await fetch(`${app.baseUrl}/api/admin/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Search reindex', serviceIds: ['search'], startsAt, endsAt, message: 'Slower.' }),
    });
    expect(response.status).toBe(201);
    await waitFor(
      () => Promise.resolve(visitorNotices().length),
      (count) => count > before.visitors,
      5000,
    );
    await sleep(500);
    expect(
      visitorNotices()
        .slice(before.visitors)
        .map((notice) => [notice.subject, notice.attributes]),
    ).toEqual([
      ['Scheduled maintenance: Search reindex', { kind: 'maintenance', event: 'scheduled', service: '["search"]' }],
    ]);
    expect(alerts()).toHaveLength(before.alerts);
  });
});
