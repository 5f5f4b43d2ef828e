import { freePort } from '../support/app-process.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';
import { TargetServer } from '../support/targets.js';

/** Samples of a Prometheus text exposition: `name{labels} value` lines. */
function samples(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const match = /^[\w:]+(\{.*\})? (\S+)$/.exec(line);
      return { labels: match?.[1] ?? '', value: Number(match?.[2]) };
    });
}

describe('Prometheus metrics on their own listener', () => {
  const targets = new TargetServer();
  let t: TestApp;
  let port: number;
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    await targets.start();
    targets.set('good', 'ok');
    targets.set('bad', 'fail');
    port = await freePort();
    t = await createTestApp({
      servicesYaml: `services:
  - { id: good, name: Good, url: "${targets.url('/t/good')}", interval: 1s, timeout: 800ms, failureThreshold: 1 }
  - { id: bad, name: Bad, url: "${targets.url('/t/bad?token=secret')}", interval: 1s, timeout: 800ms, failureThreshold: 1 }
`,
      env: { METRICS_PORT: String(port) },
    });
    // Wait until both services were checked at least twice.
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const text = await scrape();
      if (samples(text, 'statuspage_checks_total').reduce((sum, sample) => sum + sample.value, 0) >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 20_000);

  afterAll(async () => {
    await t.close();
    await targets.stop();
  });

  it('counts checks by service, result and reason class, and times them per service', async () => {
    const text = await scrape();
    const checks = samples(text, 'statuspage_checks_total');
    expect(checks.find((s) => s.labels === '{service="good",result="ok",reason="none"}')?.value).toBeGreaterThan(0);
    expect(checks.find((s) => s.labels === '{service="bad",result="fail",reason="http_5xx"}')?.value).toBeGreaterThan(
      0,
    );
    expect(
      samples(text, 'statuspage_check_duration_seconds_count')
        .map((s) => s.labels)
        .sort(),
    ).toEqual(['{service="bad"}', '{service="good"}']);
    expect(samples(text, 'statuspage_scheduler_slip_seconds_count')[0]?.value).toBeGreaterThan(0);
  });

  it('shows each service as up 0/1 and as a one-hot state, and the page headline', async () => {
    const text = await scrape();
    expect(samples(text, 'statuspage_service_up')).toEqual(
      expect.arrayContaining([
        { labels: '{service="good"}', value: 1 },
        { labels: '{service="bad"}', value: 0 },
      ]),
    );
    const bad = samples(text, 'statuspage_service_state').filter((s) => s.labels.startsWith('{service="bad"'));
    expect(bad).toHaveLength(5);
    expect(bad.filter((s) => s.value === 1).map((s) => s.labels)).toEqual(['{service="bad",state="down"}']);
    expect(samples(text, 'statuspage_page_status').filter((s) => s.value === 1)).toEqual([
      { labels: '{status="major_outage"}', value: 1 },
    ]);
    expect(samples(text, 'statuspage_service_last_latency_seconds')).toHaveLength(2);
    expect(samples(text, 'statuspage_open_incidents').find((s) => s.labels === '{impact="major"}')?.value).toBe(1);
    // Jest runs the TypeScript sources, where no compiled probe thread exists: the checks run on the main thread.
    expect(samples(text, 'statuspage_probes_on_thread')).toEqual([{ labels: '', value: 0 }]);
    expect(samples(text, 'process_cpu_seconds_total')).toHaveLength(1);
    expect(samples(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  it('keeps label values bounded: no URL, query string or error text in any label', async () => {
    const text = await scrape();
    expect(text).not.toContain('token=secret');
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain('HTTP 503');
    const reasons = new Set([...text.matchAll(/reason="([^"]*)"/g)].map((match) => match[1]));
    expect([...reasons].every((reason) => /^[a-z_0-9]+$/.test(reason ?? ''))).toBe(true);
  });

  it('is not served on the public port, under /metrics or /api/metrics', async () => {
    for (const url of ['/metrics', '/api/metrics'])
      expect((await t.inject({ method: 'GET', url })).statusCode).toBe(404);
  });

  it('drops the series of a service removed from monitoring', async () => {
    const response = await t.inject({
      method: 'POST',
      url: '/api/admin/services',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'temp', name: 'Temp', url: targets.url('/t/good'), interval: '1s' }),
    });
    expect(response.statusCode).toBe(201);
    const checked = (text: string) =>
      samples(text, 'statuspage_checks_total').some((s) => s.labels.includes('service="temp"'));
    let text = '';
    for (let attempt = 0; attempt < 40 && !checked(text); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await scrape();
    }
    expect(checked(text)).toBe(true);
    const removed = await t.inject({
      method: 'DELETE',
      url: '/api/admin/services/temp',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(removed.statusCode).toBe(204);
    const after = await scrape();
    expect(after.split('\n').filter((line) => line.includes('service="temp"'))).toEqual([]);
  });
});
