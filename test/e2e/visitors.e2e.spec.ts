import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { IncidentSummary, StatusResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { LoopbackServer } from '../support/loopback-server.js';
import { SnsReceiver } from '../support/sns-receiver.js';
import { TargetServer } from '../support/targets.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../apps/web/dev/chromium.mjs';

/**
 * Issue 16, visitors: the incident page, the paged history, the not-found view (404), branding from the services
 * file (reloaded without a restart), times in the visitor's time zone, latency ranges, failure reasons in words,
 * subscribe entry points, and badges and the feed embedded on another origin — the compiled app in Chromium.
 */

const SCREENSHOTS = resolve('artifacts/screenshots/visitors');
const TOKEN = `sp_${randomBytes(24).toString('base64url')}`;
const SUBSCRIBERS = 'arn:aws:sns:us-east-1:123456789012:status-subscribers';
const POLL_MS = 1_000;

const servicesYaml = (base: string, title = 'Acme Status', logo?: string) => `
page:
  title: ${title}${logo === undefined ? '' : `\n  logoUrl: "${logo}"`}
  colors: { accent: "#8250df", accentDark: "#c297ff" }
  links:
    - { label: Acme home, url: "https://acme.example" }
  supportUrl: "mailto:support@acme.example"
  groupOrder: [Storage]
services:
  - { id: web, name: Web app, group: Frontend, url: "${base}/t/web", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 1 }
  - { id: api, name: Public API, group: Frontend, url: "${base}/t/api", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 1 }
  - { id: db, name: Database, group: Storage, url: "${base}/t/db", interval: 1s, timeout: 800ms, failureThreshold: 2, recoveryThreshold: 1 }
`;

/** Another origin: a page that embeds the badges and reads the feed, under a strict embedder policy. */
class EmbeddingSite extends LoopbackServer {
  origin = '';
  constructor(private readonly app: () => string) {
    super();
  }
  async start(): Promise<this> {
    this.origin = await this.listen();
    return this;
  }
  protected handle(_request: IncomingMessage, response: ServerResponse): void {
    const app = this.app();
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // require-corp: a cross-origin image loads only when its server says it may be embedded.
      'cross-origin-embedder-policy': 'require-corp',
    }).end(`<!doctype html><title>README</title>
<img id="status" src="${app}/api/badges/api.svg" alt="status">
<img id="uptime" src="${app}/api/badges/api/uptime.svg" alt="uptime">
<img id="control" src="${app}/favicon.svg" alt="control: a same-origin resource, which the browser must block here">
<script>
  window.feed = fetch('${app}/api/incidents/feed.atom').then((r) => r.text()).then((t) => t.slice(0, 200), (e) => 'error ' + e);
</script>`);
  }
}

describe('visitors end to end (real process, Debian Chromium)', () => {
  const targets = new TargetServer();
  const sns = new SnsReceiver();
  let app: AppProcess;
  let browser: Browser;
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${app.baseUrl}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    const page = await context.newPage();
    await page.route('**/config.json', (route) =>
      route.fulfill({ json: { apiBaseUrl: '/api', pollIntervalMs: POLL_MS } }),
    );
    await page.goto(`${app.baseUrl}${path}`);
    return page;
  }

  const shot = async (page: Page, name: string) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    await Promise.all([targets.start(), sns.start()]);
    targets.set('db', 'fail');
    app = await startApp({
      servicesYaml: servicesYaml(targets.baseUrl),
      env: {
        ADMIN_TOKEN_HASHES: createHash('sha256').update(TOKEN).digest('hex'),
        SUBSCRIBERS_TOPIC_ARN: SUBSCRIBERS,
        AWS_ENDPOINT_URL_SNS: sns.url,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    await waitFor(
      () => getJson<StatusResponse>(`${app.baseUrl}/api/status`),
      (status) => status.services.find((service) => service.id === 'db')?.state === 'down',
      15_000,
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.kill();
    await Promise.all([targets.stop(), sns.stop()]);
  });

  it('brands the page from the services file: title before any script, accent, links, order', async () => {
    // The server writes the configured title into index.html: right in the tab and for crawlers, no JS needed.
    const html = await (await fetch(`${app.baseUrl}/`)).text();
    expect(html).toContain('<title>Acme Status</title>');
    expect(html).toContain('<span class="brand-name">Acme Status</span>');

    const page = await open('/');
    await page.waitForSelector('app-service-card[data-service-id="db"][data-state="down"]', { timeout: 10_000 });
    expect(await page.title()).toBe('Acme Status');
    expect(await page.textContent('[data-testid="brand"]')).toContain('Acme Status');
    expect(
      await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()),
    ).toBe('#8250df');
    expect(await page.getAttribute('footer a:has-text("Acme home")', 'href')).toBe('https://acme.example');
    expect(await page.getAttribute('[data-testid="support"]', 'href')).toBe('mailto:support@acme.example');
    // Group order from the file (Storage first), services in file order inside a group — not alphabetical.
    expect(
      await page.$$eval('app-service-card', (cards) => cards.map((card) => card.getAttribute('data-service-id'))),
    ).toEqual(['db', 'web', 'api']);
    await shot(page, 'branded-home-desktop');
    await page.context().close();
  }, 30_000);

  it('says why a check failed in words, with the code, never cut off', async () => {
    const page = await open('/');
    const cell = page.locator('app-service-card[data-service-id="db"] dd.latency');
    await cell.waitFor({ timeout: 10_000 });
    expect((await cell.textContent())?.trim()).toBe('Service unavailable (HTTP 503)');
    expect(await cell.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    await page.context().close();
  }, 30_000);

  it('shows times in the visitor’s time zone with UTC on hover, and a running duration that ticks', async () => {
    const created = await admin<IncidentSummary>('POST', '/incidents', {
      title: 'Checkout errors',
      impact: 'major',
      serviceIds: ['api', 'web'],
      message: 'Investigating elevated errors.',
    });
    const expectedLocal = new Intl.DateTimeFormat('en', {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
      timeZone: 'Asia/Kolkata',
    }).format(Date.parse(created.startedAt));
    const page = await open(`/incidents/${created.id}`, { timezoneId: 'Asia/Kolkata' });
    await page.waitForSelector('[data-testid="incident"]', { timeout: 10_000 });
    const started = page.locator('dt:has-text("Started") + dd time');
    expect(await started.textContent()).toBe(expectedLocal);
    expect(expectedLocal).toContain('GMT+5:30');
    expect(await started.getAttribute('title')).toBe(
      `${new Date(Date.parse(created.startedAt)).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    );
    expect(await started.getAttribute('datetime')).toBe(created.startedAt);
    const duration = page.locator('[data-testid="duration"]');
    const before = await duration.textContent();
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="duration"]')?.textContent !== text,
      before,
      {
        timeout: 5_000,
      },
    );
    expect(await duration.textContent()).toMatch(/^\s*\d+ s\s*$/);
    await page.context().close();
  }, 30_000);

  it('renders the incident page: title, impact, affected services, the whole timeline; 200 from the server', async () => {
    const incident = await admin<IncidentSummary>('POST', '/incidents', {
      title: 'Database failover',
      impact: 'critical',
      serviceIds: ['db'],
      message: 'Primary unreachable.',
    });
    await admin('POST', `/incidents/${incident.id}/updates`, { status: 'identified', message: 'Failing over.' });
    await admin('POST', `/incidents/${incident.id}/updates`, { status: 'resolved', message: 'Replica promoted.' });
    expect((await fetch(`${app.baseUrl}/incidents/${incident.id}`)).status).toBe(200);

    const page = await open(`/incidents/${incident.id}`);
    await page.waitForSelector('[data-testid="incident"] .timeline li >> nth=2', { timeout: 10_000 });
    expect(await page.textContent('h1')).toBe('Database failover');
    expect(await page.textContent('.impact')).toBe('Critical impact');
    expect(await page.textContent('dt:has-text("Affected") + dd')).toContain('Database');
    expect(await page.$$eval('.timeline .update-status', (nodes) => nodes.map((node) => node.textContent))).toEqual([
      'Resolved',
      'Identified',
      'Investigating',
    ]);
    expect(await page.textContent('dt:has-text("Lasted") + dd')).toMatch(/\d+ s/);
    expect(await page.title()).toBe('Database failover — Acme Status');
    await shot(page, 'incident-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'incident-mobile');
    await page.context().close();
  }, 30_000);

  it('lists the history by month with links to each incident and the feed', async () => {
    const page = await open('/history');
    await page.waitForSelector('[data-testid="history-month"]', { timeout: 10_000 });
    const thisMonth = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric' }).format(Date.now());
    expect(await page.textContent('[data-testid="history-month"] h2')).toBe(thisMonth);
    const titles = await page.$$eval('[data-testid="history-month"] .entry .title', (nodes) =>
      nodes.map((node) => node.textContent?.trim()),
    );
    expect(titles).toEqual(expect.arrayContaining(['Database failover', 'Checkout errors']));
    expect(await page.getAttribute('a:has-text("Atom")', 'href')).toBe('/api/incidents/feed.atom');
    await shot(page, 'history-desktop');
    await page.click('text=Database failover');
    await page.waitForSelector('[data-testid="incident"]');
    expect(new URL(page.url()).pathname).toMatch(/^\/incidents\//);
    await page.context().close();
  }, 30_000);

  it('answers unknown pages with 404 and the not-found view', async () => {
    for (const [path, heading] of [
      ['/no/such/page', 'Page not found'],
      ['/services/nobody', 'Service not found'],
      ['/incidents/inc-nope', 'Incident not found'],
    ] as const) {
      const response = await fetch(`${app.baseUrl}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 404,
        type: 'text/html; charset=utf-8',
      });
      const page = await open(path);
      await page.waitForSelector('[data-testid="not-found"]', { timeout: 10_000 });
      expect(await page.textContent('[data-testid="not-found"] h1')).toBe(heading);
      if (path === '/no/such/page') {
        expect(await page.title()).toBe('Page not found — Acme Status');
        await shot(page, 'not-found-desktop');
      }
      await page.context().close();
    }
  }, 45_000);

  it('charts 24 h / 7 d / 30 d / 90 d response times with p50 and p95 and a table alternative', async () => {
    const page = await open('/services/api');
    await page.waitForSelector('[data-testid="latency"] app-latency-chart', { timeout: 10_000 });
    expect(await page.getAttribute('button[data-range="24h"]', 'aria-pressed')).toBe('true');
    expect(await page.textContent('[data-testid="latency-summary"]')).toMatch(
      /^24 hours: \d+ checks, 0 failed · average \d+ ms · p50 ≈ \d+ ms · p95 ≈ \d+ ms$/,
    );
    expect(await page.$$eval('[data-testid="latency-table"] tbody tr', (rows) => rows.length)).toBe(24);
    for (const [range, rows] of [
      ['7d', 7],
      ['30d', 30],
      ['90d', 90],
    ] as const) {
      await page.click(`button[data-range="${range}"]`);
      // Zoneless change detection renders after the click's task: wait for the table to follow the range.
      await page
        .waitForFunction(
          (count) => document.querySelectorAll('[data-testid="latency-table"] tbody tr').length === count,
          rows,
          { timeout: 3_000 },
        )
        .catch(() => undefined);
      expect(await page.getAttribute(`button[data-range="${range}"]`, 'aria-pressed')).toBe('true');
      expect(await page.$$eval('[data-testid="latency-table"] tbody tr', (list) => list.length)).toBe(rows);
    }
    // Today's row has percentiles from the day's histogram.
    await page.click('summary:has-text("Show as a table")');
    const today = await page.$$eval('[data-testid="latency-table"] tbody tr:last-child td', (cells) =>
      cells.map((cell) => cell.textContent?.trim()),
    );
    expect(today[4]).toMatch(/^\d+ ms$/);
    expect(today[5]).toMatch(/^\d+ ms$/);
    expect(await page.getAttribute('[data-testid="latency"] svg', 'aria-label')).toContain(
      'Response time over the last 90 days',
    );
    await page.click('button[data-range="24h"]');
    await shot(page, 'service-desktop');
    await page.context().close();
  }, 30_000);

  it('keeps every column of the recent checks readable on a 390 px phone', async () => {
    const page = await open('/services/db', { viewport: { width: 390, height: 844 } });
    // The recent-checks log (the latency chart's own table sits in a closed <details> above it).
    const log = 'section[aria-labelledby="checks-title"] .table-wrap';
    await page.waitForSelector(`${log} tbody tr.failed`, { timeout: 10_000 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    const cells = await page.$$eval(`${log} tbody tr:first-child td`, (list) =>
      list.map((cell) => {
        const box = cell.getBoundingClientRect();
        return { text: (cell as HTMLElement).innerText, right: box.right, visible: box.width > 0 };
      }),
    );
    expect(cells.filter((cell) => cell.visible).length).toBeGreaterThanOrEqual(5);
    expect(cells.filter((cell) => cell.visible).every((cell) => cell.right <= 390)).toBe(true);
    expect(cells.map((cell) => cell.text).join('\n')).toContain('Service unavailable (HTTP 503)');
    // Check times carry seconds.
    expect(cells[0]?.text).toMatch(/\d\d:\d\d:\d\d/);
    // A failed last check shows no latency: the stat says the check failed instead.
    const stat = await page.$$eval('dl.stats > div', (items) =>
      items.map((item) => [item.querySelector('dt')?.textContent, item.querySelector('dd')?.textContent]),
    );
    expect(stat[0]).toEqual(['Last check', 'Failed']);
    expect(stat.map(([label]) => label)).not.toContain('Current latency');
    await shot(page, 'service-mobile');
    await page.context().close();
  }, 30_000);

  it('offers the Atom feed and, with subscriptions on, an e-mail form that subscribes', async () => {
    const page = await open('/');
    await page.waitForSelector('app-service-card');
    expect(await page.getAttribute('[data-testid="feed-link"]', 'href')).toBe('/api/incidents/feed.atom');
    expect(await page.getAttribute('link[rel="alternate"]', 'type')).toBe('application/atom+xml');
    await page.click('button:has-text("Subscribe to updates")');
    await page.fill('#subscribe-email', 'visitor@example.com');
    await page.click('form button[type="submit"]');
    await page.waitForSelector('[data-testid="subscribe-done"]', { timeout: 10_000 });
    expect(sns.subscribeCalls.at(-1)).toMatchObject({
      topicArn: SUBSCRIBERS,
      protocol: 'email',
      endpoint: 'visitor@example.com',
    });
    await shot(page, 'subscribe-desktop');
    await page.context().close();
  }, 30_000);

  it('lets another origin embed the badges and read the feed', async () => {
    const site = await new EmbeddingSite(() => app.baseUrl).start();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const failed: string[] = [];
      page.on('requestfailed', (request) => failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
      await page.goto(site.origin);
      await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete));
      const sizes = await page.$$eval('img', (images) =>
        Object.fromEntries(images.map((image) => [image.id, image.naturalWidth > 0])),
      );
      // The control proves the page can tell: the dashboard's own files stay same-origin, so they are blocked.
      expect(sizes).toEqual({ status: true, uptime: true, control: false });
      expect(await page.evaluate(() => (window as unknown as { feed: Promise<string> }).feed)).toContain('<feed');
      expect(failed).toEqual([expect.stringContaining('/favicon.svg')]);
      await context.close();
    } finally {
      await site.stop();
    }
  }, 30_000);

  it('follows a branding edit of the services file (title, logo) without a restart', async () => {
    const file = join(app.dataDir, 'services.yaml');
    writeFileSync(file, servicesYaml(targets.baseUrl, 'Acme Cloud Status', '/favicon.svg'));
    await waitFor(
      () => getJson<StatusResponse>(`${app.baseUrl}/api/status`),
      (status) => status.page.title === 'Acme Cloud Status',
      10_000,
    );
    expect(readFileSync(file, 'utf8')).toContain('Acme Cloud Status');
    const page = await open('/');
    await page.waitForSelector('app-service-card');
    expect(await page.title()).toBe('Acme Cloud Status');
    // The logo replaces the built-in mark and carries the title as its text.
    const logo = page.locator('[data-testid="brand"] img.brand-logo');
    await logo.waitFor();
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('img.brand-logo')?.complete === true);
    expect(await logo.getAttribute('src')).toBe('/favicon.svg');
    expect(await logo.getAttribute('alt')).toBe('Acme Cloud Status');
    expect(await logo.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    expect(app.output()).toMatch(/reloaded .*services\.yaml \(change\)/);
    await page.context().close();
  }, 30_000);
});
