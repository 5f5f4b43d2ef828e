import { chromium, type Browser, type Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { startApp, type AppProcess } from '../support/app-process.js';
import { TargetServer } from '../support/targets.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../apps/web/dev/chromium.mjs';

const SCREENSHOTS = resolve('artifacts/screenshots');
const INTERVAL_MS = 1_000;
const FAILURE_THRESHOLD = 2;
/** The page's poll interval, injected through config.json exactly as a deployment would override it. */
const POLL_MS = 1_000;

const servicesYaml = (base: string) => `
services:
  - { id: api, name: Public API, group: Core platform, url: "${base}/t/api", interval: 1s, timeout: 800ms, failureThreshold: ${FAILURE_THRESHOLD}, recoveryThreshold: 1 }
  - { id: web, name: Web app, group: Core platform, url: "${base}/t/web", interval: 1s, timeout: 800ms, failureThreshold: ${FAILURE_THRESHOLD}, recoveryThreshold: 1 }
  - { id: db, name: Database, group: Data, url: "${base}/t/db", interval: 1s, timeout: 800ms, failureThreshold: ${FAILURE_THRESHOLD}, recoveryThreshold: 1 }
`;

const TOKEN = `sp_${randomBytes(24).toString('base64url')}`;

const card = (id: string) => `app-service-card[data-service-id="${id}"]`;

async function openDashboard(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  // Every layout shift with the elements that moved, to prove nothing moves when the data arrives.
  await page.addInitScript(() => {
    const w = window as unknown as { shifts: string[] };
    w.shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as { value: number; sources: { node?: Node }[] }[]) {
        const nodes = entry.sources.map((source) => {
          const node = source.node;
          if (!(node instanceof Element)) return node?.parentElement?.outerHTML.slice(0, 80) ?? '#text';
          return node.outerHTML.slice(0, 80);
        });
        w.shifts.push(`${entry.value.toFixed(5)} ${nodes.join(' | ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.route('**/config.json', (route) =>
    route.fulfill({ json: { apiBaseUrl: '/api', pollIntervalMs: POLL_MS } }),
  );
  await page.goto(`${baseUrl}/`);
  return page;
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

describe('status dashboard end to end (real Nest process, embedded DynamoDB, Debian Chromium)', () => {
  const targets = new TargetServer();
  let app: AppProcess | null = null;
  let browser: Browser | null = null;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(resolve('dist/web/browser/index.html'))) throw new Error('run npm run build:web first');
    await targets.start();
    app = await startApp({
      servicesYaml: servicesYaml(targets.baseUrl),
      env: { ADMIN_TOKEN_HASHES: createHash('sha256').update(TOKEN).digest('hex') },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    page = await openDashboard(browser, app.baseUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.kill();
    await targets.stop();
  });

  it('lists the configured services, grouped, with their states', async () => {
    await page.waitForSelector(`${card('db')}[data-state="up"]`, { timeout: 10_000 });
    await page.waitForFunction(
      () => document.querySelectorAll('app-service-card[data-state="up"]').length === 3,
      undefined,
      { timeout: 10_000 },
    );
    const cards = await page.$$eval('app-service-card', (elements) =>
      elements.map((element) => ({
        id: element.getAttribute('data-service-id'),
        name: element.querySelector('h3')?.textContent?.trim(),
        state: element.querySelector('app-state-badge')?.textContent?.trim(),
      })),
    );
    expect(cards).toEqual([
      { id: 'api', name: 'Public API', state: 'Operational' },
      { id: 'web', name: 'Web app', state: 'Operational' },
      { id: 'db', name: 'Database', state: 'Operational' },
    ]);
    expect(await page.$$eval('.group-name', (groups) => groups.map((group) => group.textContent?.trim()))).toEqual([
      'Core platform',
      'Data',
    ]);
    expect(await page.textContent('app-overall-banner h1')).toContain('All systems operational');
    expect(await page.textContent('[data-testid="updated"]')).toMatch(/Updated \d+ s ago/);
    // 90 daily bars per service, each with an accessible name.
    expect(await page.$$eval(`${card('api')} li.bar[aria-label]`, (bars) => bars.length)).toBe(90);
    // Data arrived without moving anything that was already on screen.
    expect(await page.evaluate(() => (window as unknown as { shifts: string[] }).shifts)).toEqual([]);
  }, 30_000);

  it('ships at most 80 KB of initial JavaScript (gzip)', async () => {
    const html = await (await fetch(`${app!.baseUrl}/`)).text();
    const scripts = [
      ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g),
    ].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const script of scripts) {
      const body = Buffer.from(await (await fetch(`${app!.baseUrl}/${script}`)).arrayBuffer());
      total += gzipSync(body, { level: 9 }).length;
    }
    expect(total).toBeLessThanOrEqual(80_000);
  });

  it('saves mobile and desktop screenshots with no horizontal overflow', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [name, viewport] of [
      ['mobile', { width: 390, height: 844 }],
      ['desktop', { width: 1280, height: 800 }],
    ] as const) {
      const shot = await openDashboard(browser!, app!.baseUrl, viewport);
      await shot.waitForFunction(
        () => document.querySelectorAll('app-service-card[data-state="up"]').length === 3,
        undefined,
        { timeout: 10_000 },
      );
      expect(await horizontalOverflow(shot)).toBeLessThanOrEqual(0);
      await shot.screenshot({ path: `${SCREENSHOTS}/dashboard-${name}.png`, fullPage: true });
      await shot.close();
      expect(existsSync(`${SCREENSHOTS}/dashboard-${name}.png`)).toBe(true);
    }
  }, 30_000);

  it('scores 1.0 in Lighthouse accessibility, best practices and SEO on the dashboard and a service page', async () => {
    const results: Record<string, { scores: Record<string, number>; failing: string[] }> = {};
    for (const path of ['/', '/services/api']) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          'bench/lighthouse.mjs',
          '--url',
          `${app!.baseUrl}${path}`,
          '--categories',
          'accessibility,best-practices,seo',
          '--out',
          `artifacts/lighthouse/e2e${path === '/' ? '' : path}`,
          '--json',
        ],
        { env: { ...process.env, CHROME_PATH: CHROMIUM_PATH }, timeout: 45_000 },
      );
      const { scores, failing } = JSON.parse(stdout.trim().split('\n').pop()!) as (typeof results)[string];
      results[path] = { scores, failing };
    }
    const perfect = { scores: { accessibility: 1, 'best-practices': 1, seo: 1 }, failing: [] };
    expect(results).toEqual({ '/': perfect, '/services/api': perfect });
  }, 90_000);

  it('shows a target switched to failing as down without a reload within interval × threshold + poll + 2 s', async () => {
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    targets.set('db', 'fail');
    const budget = INTERVAL_MS * FAILURE_THRESHOLD + POLL_MS + 2_000;
    const started = Date.now();
    await page.waitForSelector(`${card('db')}[data-state="down"]`, { timeout: budget });
    expect(Date.now() - started).toBeLessThanOrEqual(budget);
    expect(await page.textContent(`${card('db')} app-state-badge`)).toContain('Down');
    expect(await page.textContent('app-overall-banner h1')).not.toContain('All systems operational');
    // Same document: the change arrived by polling, not by a navigation.
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  }, 30_000);

  // Issue 15, item 8: a 200-character title without spaces made the page 2,500 px wide on a phone, and the line
  // breaks of an incident message collapsed into spaces.
  it('wraps a 200-character word and keeps message line breaks on a 390 px phone', async () => {
    const word = 'Unbroken'.repeat(25);
    const created = await fetch(`${app!.baseUrl}/api/admin/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: word,
        impact: 'minor',
        serviceIds: ['api'],
        message: `First line.\nSecond line with ${word}.`,
      }),
    });
    expect(created.status).toBe(201);
    const phone = await openDashboard(browser!, app!.baseUrl, { width: 390, height: 844 });
    await phone.waitForSelector('app-incident-card .message', { timeout: 10_000 });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    expect(await horizontalOverflow(phone)).toBeLessThanOrEqual(0);
    const message = phone.locator('app-incident-card .message').first();
    expect(await message.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('pre-line');
    // innerText follows the rendering: a kept line break is a "\n", a collapsed one a space.
    expect(await message.evaluate((element) => (element as HTMLElement).innerText)).toMatch(
      /^First line\.\nSecond line/,
    );
    const title = await phone.locator('app-incident-card .title').first().boundingBox();
    expect(title!.x + title!.width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: `${SCREENSHOTS}/dashboard-mobile-long-words.png`, fullPage: true });
    await phone.close();
  }, 30_000);

  it('keeps the last data and shows a stale warning when the API stops', async () => {
    const before = await page.$$eval('app-service-card', (elements) => elements.length);
    expect(await page.$('[data-testid="stale-warning"]')).toBeNull();

    await app!.stop();
    await page.waitForSelector('[data-testid="stale-warning"]', { timeout: POLL_MS + 5_000 });

    expect(await page.textContent('[data-testid="stale-warning"]')).toContain("can't be reached");
    expect(await page.$$eval('app-service-card', (elements) => elements.length)).toBe(before);
    expect(await page.textContent(`${card('db')} app-state-badge`)).toContain('Down');
    expect(await page.textContent(`${card('api')} h3`)).toContain('Public API');
  }, 30_000);
});
