import { SnsReceiver } from '../support/sns-receiver.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:status-subscribers';
const SERVICES = `services:
  - { id: api, name: Public API, url: "http://127.0.0.1:9/api", paused: true }
  - { id: web, name: Web app, url: "http://127.0.0.1:9/web", paused: true }
`;

describe('POST /api/subscriptions (SNS e-mail subscriptions with a filter policy, abuse limits)', () => {
  const sns = new SnsReceiver();
  let t: TestApp;
  let ip = 0;
  /** A request from a client address of its own, so the per-client limit only bites where a test wants it. */
  const subscribe = (payload: unknown, remoteAddress = `10.9.0.${(ip += 1)}`) =>
    t.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
      remoteAddress,
    });

  /** The AWS SDK reads its endpoint and credentials from the process environment, not from our configuration. */
  const sdkEnv = { AWS_ENDPOINT_URL_SNS: '', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const saved = Object.fromEntries(Object.keys(sdkEnv).map((key) => [key, process.env[key]]));

  beforeAll(async () => {
    await sns.start();
    Object.assign(process.env, { ...sdkEnv, AWS_ENDPOINT_URL_SNS: sns.url });
    t = await createTestApp({
      servicesYaml: SERVICES,
      env: { SUBSCRIBERS_TOPIC_ARN: TOPIC, SUBSCRIBE_PER_IP_PER_HOUR: '3', SUBSCRIBE_GLOBAL_PER_HOUR: '11' },
    });
  });
  afterAll(async () => {
    await t.close();
    await sns.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterEach(() => sns.failWith(null));

  it('subscribes the address by e-mail with ReturnSubscriptionArn and a filter policy on the chosen services', async () => {
    const response = await subscribe({ email: 'ana@example.com', services: ['web', 'api'] });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ status: 'confirmation_sent', services: ['api', 'web'] });
    expect(response.json<{ message: string }>().message).toMatch(/confirmation link/);
    expect(sns.subscribeCalls.at(-1)).toMatchObject({
      topicArn: TOPIC,
      protocol: 'email',
      endpoint: 'ana@example.com',
      returnSubscriptionArn: true,
      attributes: { FilterPolicy: '{"service":["api","web"]}' },
    });
  });

  it('subscribes to everything without a filter policy when no services are chosen', async () => {
    const response = await subscribe({ email: 'bo@example.com' });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ services: 'all' });
    expect(sns.subscribeCalls.at(-1)).toMatchObject({ endpoint: 'bo@example.com', attributes: {} });
  });

  it.each([
    [{ email: 'not-an-address' }, 'email', 'not-an-address'],
    [{ email: 'ana@localhost' }, 'email', 'ana@localhost'],
    [{ email: 'Ana <ana@example.com>' }, 'email', 'Ana <ana@example.com>'],
    [{ email: 'ana@exämple.com' }, 'email', 'ana@exämple.com'],
    [{ email: `${'a'.repeat(250)}@example.com` }, 'email', `${'a'.repeat(250)}@example.com`],
  ])('refuses a bad address %j, naming the field, the value and the rule', async (body, path, value) => {
    const before = sns.subscribeCalls.length;
    const response = await subscribe(body);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ details: unknown[] }>().details).toContainEqual({
      path,
      value: value.length > 80 ? (expect.any(String) as unknown) : value,
      rule: 'must be an e-mail address such as name@example.com (ASCII, at most 254 characters)',
    });
    expect(sns.subscribeCalls.length).toBe(before);
  });

  it('refuses unknown service ids, an empty choice and unknown fields', async () => {
    const unknown = await subscribe({ email: 'cy@example.com', services: ['api', 'ghost'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ details: unknown[] }>().details).toEqual([
      { path: 'services', value: 'ghost', rule: 'is not a service on this status page' },
    ]);
    const empty = await subscribe({ email: 'cy@example.com', services: [] });
    expect(empty.json<{ details: unknown[] }>().details).toEqual([
      { path: 'services', value: [], rule: 'must list at least one service' },
    ]);
    const extra = await subscribe({ email: 'cy@example.com', phone: '+1555' });
    expect(extra.json<{ details: unknown[] }>().details).toEqual([
      { path: 'phone', value: '+1555', rule: 'is not a known field' },
    ]);
  });

  it('answers 409 when the address is already subscribed with another choice, 202 for the same one again', async () => {
    expect((await subscribe({ email: 'di@example.com', services: ['api'] })).statusCode).toBe(202);
    expect((await subscribe({ email: 'di@example.com', services: ['api'] })).statusCode).toBe(202);
    const other = await subscribe({ email: 'di@example.com', services: ['web'] });
    expect(other.statusCode).toBe(409);
    expect(other.json<{ message: string }>().message).toMatch(/already subscribed with a different choice/);
  });

  it('answers 503 without AWS details when SNS fails', async () => {
    sns.failWith(500);
    const response = await subscribe({ email: 'ed@example.com' });
    expect(response.statusCode).toBe(503);
    expect(response.json<{ message: string }>().message).toBe(
      'the notification service could not take the subscription; try again later',
    );
  });

  it('limits requests per client address, with Retry-After', async () => {
    const client = '10.8.0.1';
    const statuses = [];
    for (const email of ['f1@example.com', 'not-an-address', 'f3@example.com', 'f4@example.com'])
      statuses.push((await subscribe({ email }, client)).statusCode);
    expect(statuses).toEqual([202, 400, 202, 429]);
    const limited = await subscribe({ email: 'f5@example.com' }, client);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3500);
    expect(limited.json<{ message: string }>().message).toMatch(/from this network address/);
  });

  it('sends one address at most 3 confirmation mails a day, whoever asks', async () => {
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt += 1)
      statuses.push((await subscribe({ email: 'GU@example.com' })).statusCode);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await subscribe({ email: 'gu@EXAMPLE.com' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json<{ message: string }>().message).toMatch(/sent a confirmation link recently/);
  });

  it('caps subscriptions for the whole page per hour', async () => {
    // 11 per hour for the page, and the valid requests above used them all: ana, bo, di ×3 (the 409 too), ed (SNS
    // failed), f1, f3, gu ×3. Requests refused by the client or address limit never reached the page's count.
    const response = await subscribe({ email: 'hal@example.com' });
    expect(response.statusCode).toBe(429);
    expect(response.json<{ message: string }>().message).toMatch(/many subscriptions right now/);
  });
});

describe('POST /api/subscriptions without a subscribers topic', () => {
  it('answers 503: subscriptions are not enabled', async () => {
    const t = await createTestApp();
    try {
      const response = await t.inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":"ana@example.com"}',
      });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ message: 'subscriptions are not enabled on this status page' });
    } finally {
      await t.close();
    }
  });
});
