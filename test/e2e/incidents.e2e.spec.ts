import { createHash, randomBytes } from 'node:crypto';
import type { IncidentSummary, Page, ServiceDetailResponse, StatusResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { SlackReceiver } from '../support/slack-receiver.js';
import { SnsReceiver } from '../support/sns-receiver.js';
import { TargetServer } from '../support/targets.js';
import { parseXml as parseStrict, type XmlElement } from '../support/xml.js';

const token = `sp_${randomBytes(24).toString('base64url')}`;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:status-alerts';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts elements by local name; parseXml throws on anything that is not well-formed XML. */
function parseXml(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (element: XmlElement) => {
    counts.set(element.name, (counts.get(element.name) ?? 0) + 1);
    element.children.forEach(visit);
  };
  visit(parseStrict(text));
  return counts;
}

describe('incidents and alerting end to end (real process, local Slack and SNS receivers)', () => {
  const targets = new TargetServer();
  const slack = new SlackReceiver();
  const sns = new SnsReceiver();
  let app: AppProcess;
  let env: Record<string, string>;
  const yaml = (base: string) => `services:
  - { id: checkout, name: Checkout API, url: "${base}/t/checkout", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 2 }
  - { id: search, name: Search, url: "${base}/t/search", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 2 }
`;
  const slackTexts = () => slack.messages.map((message) => (message as { text: string }).text);
  const start = async (dataDir?: string) => {
    app = await startApp({ servicesYaml: yaml(targets.baseUrl), env, ...(dataDir ? { dataDir } : {}) });
  };
  const state = async (id: string) =>
    (await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/${id}`)).recentChecks[0]?.state;
  /** Both channels answer 500 from now on (null: they accept again). */
  const failChannels = (status: number | null) => {
    slack.failWith(status);
    sns.failWith(status);
  };
  /** Both channels hold `count` messages, and still do after `quietMs` more (nothing repeats). */
  const deliveredExactly = async (count: number, timeoutMs: number, quietMs: number) => {
    await Promise.all([slack.waitFor(count, timeoutMs), sns.waitFor(count, timeoutMs)]);
    await sleep(quietMs);
    expect(slack.messages).toHaveLength(count);
    expect(sns.messages).toHaveLength(count);
  };

  beforeAll(async () => {
    await Promise.all([targets.start(), slack.start(), sns.start()]);
    targets.set('checkout', 'ok');
    targets.set('search', 'ok');
    env = {
      ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex'),
      SLACK_WEBHOOK_URL: slack.url,
      SNS_TOPIC_ARN: TOPIC,
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
      ALERT_RETRY_MIN: '200ms',
      PUBLIC_BASE_URL: 'https://status.example.com',
    };
    await start();
    await waitFor(
      () => state('checkout'),
      (s) => s === 'up',
      5000,
    );
  });

  afterAll(async () => {
    await app?.kill();
    await Promise.all([targets.stop(), slack.stop(), sns.stop()]);
  });

  it('pages exactly once per channel when a service goes down, with the right content', async () => {
    targets.set('checkout', 'fail');
    await deliveredExactly(1, 8000, 3000); // more failing checks and reconcile passes must not page again
    expect(slackTexts()[0]).toMatch(/Checkout API/);
    expect(JSON.stringify(slack.messages[0])).toMatch(/HTTP 503/);
    expect(JSON.stringify(slack.messages[0])).toContain('https://status.example.com/incidents/');
    const [published] = sns.messages;
    expect(published?.topicArn).toBe(TOPIC);
    expect(published?.subject?.length).toBeLessThanOrEqual(100);
    expect(published?.subject).toMatch(/^\[DOWN\] .*Checkout API/);
    expect(published?.message).toMatch(/HTTP 503/);
    expect(published?.attributes).toMatchObject({ service: 'checkout', transition: 'opened', severity: 'major' });
    const status = await getJson<StatusResponse>(`${app.baseUrl}/api/status`);
    expect(status.activeIncidents).toHaveLength(1);
    expect(status.activeIncidents[0]).toMatchObject({
      kind: 'auto',
      status: 'investigating',
      serviceIds: ['checkout'],
    });
  });

  it('sends exactly one resolved message per channel on recovery', async () => {
    targets.set('checkout', 'ok');
    await deliveredExactly(2, 8000, 2000);
    expect(sns.messages[1]?.attributes.transition).toBe('resolved');
    expect(sns.messages[1]?.subject).toMatch(/^\[RESOLVED\]/);
    expect(slackTexts()[1]).toMatch(/resolved|recovered/i);
    const status = await getJson<StatusResponse>(`${app.baseUrl}/api/status`);
    expect(status.activeIncidents).toHaveLength(0);
  });

  it('delivers once after a receiver answered 500 for a while', async () => {
    failChannels(500);
    targets.set('checkout', 'fail');
    await waitFor(
      () => state('checkout'),
      (s) => s === 'down',
      5000,
    );
    await sleep(2500); // several failed attempts with backoff
    expect(slack.messages).toHaveLength(2);
    expect(sns.messages).toHaveLength(2);
    failChannels(null);
    await deliveredExactly(3, 15000, 2000);
    expect(sns.messages[2]?.attributes.transition).toBe('opened');
  });

  it('delivers once after kill -9 between the transition and the delivery', async () => {
    failChannels(500);
    targets.set('checkout', 'ok');
    // The resolution is stored and queued, but no channel has accepted it yet.
    await waitFor(
      async () => (await getJson<StatusResponse>(`${app.baseUrl}/api/status`)).activeIncidents.length,
      (n) => n === 0,
      8000,
    );
    await sleep(500);
    await app.kill();
    const killedOutput = app.output();
    expect(slack.messages).toHaveLength(3);
    expect(sns.messages).toHaveLength(3);
    failChannels(null);
    await start(app.dataDir);
    // Usually sent within seconds of the restart. When the kill lands while an attempt is in flight (claimed, its
    // 500 not yet recorded: likelier on a loaded machine), the item stays leased for the dispatcher's 60 s — the
    // crashed attempt might have been delivered — and is sent once after that: the wait allows for it.
    // Seen once (session 40, CI under extra load): never delivered within the wait. Both runs' logs go with it.
    await deliveredExactly(4, 75_000, 3000).catch((error: unknown) => {
      const tail = (text: string) => text.slice(-6000);
      throw new Error(
        `${String(error)}\n--- the app before kill -9 ---\n${tail(killedOutput)}\n--- after the restart ---\n${tail(app.output())}`,
      );
    });
    expect(sns.messages[3]?.attributes.transition).toBe('resolved');
  }, 120_000);

  it('sends nothing and opens nothing during a maintenance window, while checks continue', async () => {
    const now = Date.now();
    const response = await fetch(`${app.baseUrl}/api/admin/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Search index rebuild',
        serviceIds: ['search'],
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        message: 'Search may be unavailable.',
      }),
    });
    expect(response.status).toBe(201);
    const before = { slack: slack.messages.length, sns: sns.messages.length };
    targets.set('search', 'fail');
    await waitFor(
      () => state('search'),
      (s) => s === 'down',
      6000,
    );
    await sleep(3000);
    expect({ slack: slack.messages.length, sns: sns.messages.length }).toEqual(before);
    const status = await getJson<StatusResponse>(`${app.baseUrl}/api/status`);
    expect(status.services.find((service) => service.id === 'search')?.state).toBe('maintenance');
    expect(status.activeIncidents).toHaveLength(0);
    expect(status.upcomingMaintenance.map((window) => window.title)).toEqual(['Search index rebuild']);
    const detail = await getJson<ServiceDetailResponse>(`${app.baseUrl}/api/services/search`);
    expect(detail.recentChecks[0]?.error).toBe('HTTP 503'); // checks continue and are stored
  });

  it('publishes the history as a valid Atom feed (one entry per incident) and valid SVG badges', async () => {
    const page = await getJson<Page<IncidentSummary>>(`${app.baseUrl}/api/incidents?limit=100`);
    expect(page.items).toHaveLength(2);
    const feed = await fetch(`${app.baseUrl}/api/incidents/feed.atom`);
    expect(feed.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(feed.headers.get('etag')).toBeTruthy();
    const counts = parseXml(await feed.text());
    expect(counts.get('feed')).toBe(1);
    expect(counts.get('entry')).toBe(page.items.length);
    for (const path of ['/api/badges/checkout.svg', '/api/badges/checkout/uptime.svg']) {
      const badge = await fetch(`${app.baseUrl}${path}`);
      expect(badge.status).toBe(200);
      expect(badge.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(parseXml(await badge.text()).get('svg')).toBe(1);
    }
    const etag = feed.headers.get('etag')!;
    // The feed only changes with incidents, and none change here: the client's copy is current.
    const again = await fetch(`${app.baseUrl}/api/incidents/feed.atom`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  // Was a bug: "[UPDATE] … — investigating" with transition=update, which an SNS filter policy on "opened" dropped.
  it('alerts a manually opened incident with notify: true as opened, on both channels', async () => {
    const before = sns.messages.length;
    const response = await fetch(`${app.baseUrl}/api/admin/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Payments delayed',
        impact: 'critical',
        serviceIds: ['checkout'],
        message: 'Card payments are delayed.',
        notify: true,
      }),
    });
    expect(response.status).toBe(201);
    await Promise.all([slack.waitFor(before + 1, 8000), sns.waitFor(before + 1, 8000)]);
    const published = sns.messages[before];
    expect(published?.subject).toBe('[INCIDENT] Payments delayed');
    expect(published?.attributes).toMatchObject({ transition: 'opened', severity: 'critical', service: 'checkout' });
    expect(slackTexts()[before]).toMatch(/^\[INCIDENT\] Payments delayed/);
  });
});
