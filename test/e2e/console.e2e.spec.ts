import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import type { AdminService, AuditEntry, MaintenanceWindow, Page as ApiPage } from '@app/contracts';
import { SERVICE_DEFAULTS } from '@app/contracts';
import { startApp, type AppProcess } from '../support/app-process.js';
import { axeVersion, axeViolations, type AxeViolation } from '../support/axe.js';
import { chunksContaining, initialScripts, sizeOf } from '../support/bundle.js';
import { TargetServer } from '../support/targets.js';

const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const BROWSER_DIR = resolve('dist/web/browser');
const SCREENSHOTS = resolve('artifacts/screenshots/console');
/** The console refreshes every min(pollIntervalMs, 5 s); config.json (intercepted) makes it 1 s. */
const POLL_MS = 1_000;
/** A zone far from UTC, so local and UTC times visibly differ in the maintenance view. */
const TIME_ZONE = 'America/New_York';
/** Only code of the console contains its token storage key: it identifies the console chunk. */
const CONSOLE_MARKER = 'cloudops-status.admin-token';

const token = `sp_${randomBytes(24).toString('base64url')}`;
const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 12);

const servicesYaml = (base: string) => `
services:
  - { id: from-file, name: Billing API, group: Core, url: "${base}/t/file", interval: 1s, timeout: 800ms }
`;

const row = (id: string) => `app-services-page tr[data-service-id="${id}"]`;

interface Recorder {
  cspViolations: string[];
  pageErrors: string[];
  requests: string[];
}

describe('admin console end to end (real Nest process, embedded DynamoDB, Debian Chromium)', () => {
  const targets = new TargetServer();
  let app: AppProcess | null = null;
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  const recorders = new Map<Page, Recorder>();
  /** A TCP service's target: greets every connection with an SMTP-like banner. */
  let banner: Server | null = null;
  /** Every axe run: view name → violations (asserted empty where it runs, reported together at the end). */
  const axeRuns: { view: string; scheme: string; violations: AxeViolation[] }[] = [];

  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${app!.baseUrl}/api/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };

  async function openPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
    const opened = await context.newPage();
    await opened.setViewportSize(viewport);
    const recorder: Recorder = { cspViolations: [], pageErrors: [], requests: [] };
    recorders.set(opened, recorder);
    await opened.exposeFunction('__cspViolation', (text: string) => recorder.cspViolations.push(text));
    await opened.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = (window as unknown as { __cspViolation: (text: string) => void }).__cspViolation;
        void report(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    opened.on('pageerror', (error) => recorder.pageErrors.push(error.message));
    opened.on('request', (request) => recorder.requests.push(new URL(request.url()).pathname));
    await opened.route('**/config.json', (route) =>
      route.fulfill({ json: { apiBaseUrl: '/api', pollIntervalMs: POLL_MS } }),
    );
    return opened;
  }

  /** axe in light and dark: zero violations. The page is left in `leaveIn`. */
  async function expectAccessible(
    view: string,
    target: Page = page,
    leaveIn: 'light' | 'dark' = 'light',
  ): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await target.emulateMedia({ colorScheme: scheme });
      const violations = await axeViolations(target);
      axeRuns.push({ view, scheme, violations });
      expect({ view, scheme, violations }).toEqual({ view, scheme, violations: [] });
    }
    await target.emulateMedia({ colorScheme: leaveIn });
  }

  async function nav(label: string): Promise<void> {
    await page.click(`nav[aria-label="Admin"] a:text-is("${label}")`);
  }

  /**
   * The text of `selector` once it contains `expected` (or after 5 s, for the assertion to show what it was).
   * Angular renders a change on its next timer or animation frame, not inside the click or input handler: a
   * `<dialog>` opened by showModal() in the handler is [open] before its new title is rendered, and a preview
   * updates after the input event. Read at once, a busy renderer shows the previous render.
   */
  async function renderedText(selector: string, expected: string): Promise<string | null> {
    await page
      .waitForFunction(
        ([target, text]) => document.querySelector(target)?.textContent?.includes(text) === true,
        [selector, expected] as const,
        { timeout: 5_000 },
      )
      .catch(() => undefined);
    return page.textContent(selector);
  }

  beforeAll(async () => {
    if (!existsSync(resolve(BROWSER_DIR, 'index.html'))) throw new Error('run npm run build first');
    await targets.start();
    app = await startApp({
      servicesYaml: servicesYaml(targets.baseUrl),
      env: {
        ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex'),
        ADMIN_AUTH_FAILURES_PER_MINUTE: '3',
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    context = await browser.newContext({ timezoneId: TIME_ZONE, locale: 'en-US' });
    page = await openPage();
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => (banner === null ? resolve(undefined) : banner.close(resolve)));
    await browser?.close();
    await app?.kill();
    await targets.stop();
  });

  it('keeps the console out of the public page: initial JS ≤ 80 KB gzip, console chunk loaded only on /admin', async () => {
    const html = await (await fetch(`${app!.baseUrl}/`)).text();
    const initial = initialScripts(html);
    const sizes = await Promise.all(
      initial.map(async (file) =>
        sizeOf(file, Buffer.from(await (await fetch(`${app!.baseUrl}/${file}`)).arrayBuffer())),
      ),
    );
    const total = sizes.reduce((sum, size) => sum + size.gzip, 0);
    expect(total).toBeLessThanOrEqual(80_000);

    const consoleChunks = chunksContaining(BROWSER_DIR, CONSOLE_MARKER);
    expect(consoleChunks.length).toBeGreaterThan(0);
    for (const chunk of consoleChunks) expect(initial).not.toContain(chunk);

    const visitor = await openPage();
    await visitor.goto(`${app!.baseUrl}/`);
    await visitor.waitForSelector('app-service-card');
    // The accessibility check can fail: a planted image without a text alternative is reported.
    await visitor.evaluate(() => {
      const image = document.createElement('img');
      image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
      document.querySelector('main')?.append(image);
    });
    expect((await axeViolations(visitor)).map((violation) => violation.id)).toContain('image-alt');
    const publicRequests = recorders.get(visitor)!.requests;
    expect(publicRequests.filter((path) => consoleChunks.some((chunk) => path.endsWith(chunk)))).toEqual([]);
    await visitor.close();

    await page.goto(`${app!.baseUrl}/admin`);
    await page.waitForSelector('app-sign-in');
    const adminRequests = recorders.get(page)!.requests;
    expect(consoleChunks.every((chunk) => adminRequests.some((path) => path.endsWith(chunk)))).toBe(true);
    // Same strict CSP on the console as on the page (no inline script anywhere).
    const [home, consolePage] = await Promise.all([fetch(`${app!.baseUrl}/`), fetch(`${app!.baseUrl}/admin/audit`)]);
    const csp = consolePage.headers.get('content-security-policy');
    expect(csp).toBe(home.headers.get('content-security-policy'));
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(await consolePage.text()).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    process.stdout.write(
      `initial JS: ${sizes.map((size) => `${size.file} ${size.gzip} B`).join(', ')} = ${total} B gzip; console chunk(s): ${consoleChunks.join(', ')}\n`,
    );
  }, 30_000);

  it('refuses a wrong token at the field, announced in a focused summary (401)', async () => {
    await expectAccessible('sign-in');
    // Keyboard only: tab from the top of the page to the token field.
    for (let step = 0; step < 15; step += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'admin-token')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('admin-token');
    await page.keyboard.type('sp_not-the-token');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="error-summary"]');
    expect(await page.textContent('[data-testid="error-summary"]')).toContain('Admin token: was not accepted');
    expect(await page.textContent('#admin-token-error')).toContain('HTTP 401');
    expect(await page.getAttribute('#admin-token', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#admin-token', 'aria-describedby')).toContain('admin-token-error');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'error-summary');
    expect(await page.getAttribute('[data-testid="error-summary"]', 'role')).toBe('alert');
    await expectAccessible('sign-in with error');
  }, 30_000);

  it('signs in by keyboard; the token is kept in sessionStorage only', async () => {
    await page.focus('#admin-token');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${row('from-file')}[data-state="up"]`, { timeout: 10_000 });
    const storage = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.keys(localStorage).length,
      cookie: document.cookie,
    }));
    expect(storage).toEqual({ session: [token], local: 0, cookie: '' });
    expect(await page.textContent('.console-user')).toContain(fingerprint);
    // Focus moved to the new view's heading.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Services');
    await expectAccessible('services');
  }, 30_000);

  it('shows a file-owned service as read-only, with the reason', async () => {
    expect(await page.getAttribute(row('from-file'), 'data-source')).toBe('config');
    expect(await page.textContent(`${row('from-file')} [data-testid="read-only-hint"]`)).toContain(
      'edit the services file',
    );
    expect(await page.$$(`${row('from-file')} button`)).toHaveLength(0);
    await page.click(`${row('from-file')} a`);
    await page.waitForSelector('[data-testid="read-only"]');
    expect(await page.textContent('[data-testid="read-only"]')).toContain('edit the file: the server reloads it');
    expect(await page.$eval('#svc-name', (input) => input.matches(':disabled'))).toBe(true);
    expect(await page.$('[data-testid="save-service"]')).toBeNull();
    await expectAccessible('service (read-only)');
  }, 30_000);

  it("shows the API's field errors next to the fields that caused them", async () => {
    await nav('Services');
    await page.click('[data-testid="new-service"]');
    await page.waitForSelector('#svc-id');
    await page.fill('#svc-id', 'shop');
    await page.fill('#svc-name', 'Shop');
    await page.fill('#svc-url', targets.url('/t/shop'));
    await page.fill('#svc-interval', '0s');
    await page.fill('#svc-failureThreshold', '0');
    await page.click('[data-testid="save-service"]');
    await page.waitForSelector('#svc-interval-error');
    expect(await page.textContent('#svc-interval-error')).toContain(
      '"0s" must be a duration in whole seconds between 1s and 24h',
    );
    expect(await page.textContent('#svc-failureThreshold-error')).toContain('0 must be an integer between 1 and 20');
    expect(await page.getAttribute('#svc-interval', 'aria-invalid')).toBe('true');
    const summary = await page.textContent('[data-testid="error-summary"]');
    expect(summary).toContain('Check interval: "0s" must be');
    expect(summary).toContain('Failures before down: 0 must be');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'error-summary');
    // The summary's entries move focus to their field.
    await page.click('[data-testid="error-summary"] button:has-text("Check interval")');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('svc-interval');
    await expectAccessible('new service with errors');
  }, 30_000);

  it('creates a service at a local target and shows its first check without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.fill('#svc-interval', '1s');
    await page.fill('#svc-timeout', '800ms');
    await page.fill('#svc-failureThreshold', '2');
    await page.fill('#svc-recoveryThreshold', '1');
    await page.fill('#svc-group', 'Storefront');
    await page.click('[data-testid="save-service"]');
    await page.waitForSelector(row('shop'));
    expect(await page.textContent('[data-testid="announcement"]')).toContain('Service Shop (shop) created');
    await page.waitForSelector(`${row('shop')}[data-state="up"]`, { timeout: 10_000 });
    await page.waitForFunction(
      (selector) => document.querySelector(selector)?.textContent?.includes('HTTP 200'),
      `${row('shop')} .last-check`,
      { timeout: 10_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    const created = await admin<AdminService>('GET', '/services/shop');
    expect(created).toMatchObject({ source: 'api', interval: '1s', timeout: '800ms', group: 'Storefront' });
  }, 30_000);

  it("pre-fills exactly the API's defaults (a definition with only id, name and url)", async () => {
    const probe = await admin<AdminService>('POST', '/services', {
      id: 'defaults-probe',
      name: 'Defaults probe',
      url: targets.url('/ok'),
      paused: true,
    });
    await admin('DELETE', '/services/defaults-probe');
    expect({
      method: probe.method,
      interval: probe.interval,
      timeout: probe.timeout,
      failureThreshold: probe.failureThreshold,
      recoveryThreshold: probe.recoveryThreshold,
      expectedStatus: probe.expectedStatus,
      slo: probe.slo,
      degradedOpensIncident: probe.degradedOpensIncident,
    }).toEqual({
      method: SERVICE_DEFAULTS.method,
      interval: SERVICE_DEFAULTS.interval,
      timeout: SERVICE_DEFAULTS.timeoutCeiling,
      failureThreshold: SERVICE_DEFAULTS.failureThreshold,
      recoveryThreshold: SERVICE_DEFAULTS.recoveryThreshold,
      expectedStatus: [...SERVICE_DEFAULTS.expectedStatus],
      slo: SERVICE_DEFAULTS.slo,
      degradedOpensIncident: SERVICE_DEFAULTS.degradedOpensIncident,
    });
  });

  it('filters by state and group; a failing target turns the row down', async () => {
    targets.set('shop', 'fail');
    await page.waitForSelector(`${row('shop')}[data-state="down"]`, { timeout: 10_000 });
    expect(await page.textContent(`${row('shop')} .last-check`)).toContain('HTTP 503');
    await page.selectOption('#filter-state', 'down');
    expect(
      await page.$$eval('app-services-page tbody tr', (rows) => rows.map((r) => r.getAttribute('data-service-id'))),
    ).toEqual(['shop']);
    expect(await page.textContent('[data-testid="service-count"]')).toBe('Showing 1 of 2 services');
    await page.selectOption('#filter-state', 'all');
    await page.selectOption('#filter-group', 'Core');
    expect(
      await page.$$eval('app-services-page tbody tr', (rows) => rows.map((r) => r.getAttribute('data-service-id'))),
    ).toEqual(['from-file']);
    await page.selectOption('#filter-group', '*');
  }, 30_000);

  it('shows the automatic incident; an update is previewed, then posted', async () => {
    await nav('Incidents');
    const open = 'app-incidents-page [data-testid="open-incidents"] li[data-incident-id]';
    await page.waitForSelector(open, { timeout: 10_000 });
    expect(await page.textContent(open)).toContain('Shop is down');
    expect(await page.textContent(open)).toContain('Automatic');
    await expectAccessible('incidents');
    await page.click(`${open} a`);
    await page.waitForSelector('#update-message');
    // The API would refuse a manual "resolved" while the monitor holds the incident open: not offered.
    expect(await page.$eval('#status-resolved', (input) => (input as HTMLInputElement).disabled)).toBe(true);
    // The service's name once the services list is in (until then the id stands in: a loaded run read "shop").
    await page.waitForFunction(
      () => document.querySelector('#status-resolved-why')?.textContent?.includes('when Shop recovers') === true,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.textContent('#status-resolved-why')).toContain('resolves automatically when Shop recovers');
    expect(await page.$eval('#status-identified', (input) => (input as HTMLInputElement).checked)).toBe(true);
    await page.fill('#update-message', 'Identified: a bad deploy. Rolling back.');
    expect(await page.textContent('[data-testid="preview"] h2')).toContain('Preview');
    const previewed = 'Identified: a bad deploy. Rolling back.';
    expect(await renderedText('[data-testid="preview"] app-incident-card', previewed)).toContain(previewed);
    await expectAccessible('incident with preview');
    await page.click('[data-testid="post-update"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="incident-status"]')?.textContent?.includes('Identified'),
    );
    expect(await page.textContent('[data-testid="announcement"]')).toContain('Update posted: Identified');
    expect(await renderedText('[data-testid="preview"] app-incident-card', 'Rolling back.')).toContain('Rolling back.');
    // Going back is not offered either.
    expect(await page.$eval('#status-investigating', (input) => (input as HTMLInputElement).disabled)).toBe(true);
  }, 30_000);

  it('resolves: the automatic incident when the target recovers, a manual one by hand', async () => {
    targets.set('shop', 'ok');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="incident-status"]')?.textContent?.includes('Resolved'),
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.textContent('[data-testid="no-updates"]')).toContain('resolved');

    await nav('Incidents');
    await page.click('[data-testid="new-incident"]');
    await page.waitForSelector('#incident-title');
    await page.fill('#incident-title', 'Slow checkout');
    await page.check('#impact-minor');
    await page.check('#affects-shop');
    await page.fill('#incident-message', 'Checkout is slower than usual; investigating.');
    expect(await renderedText('[data-testid="preview"] app-incident-card', 'Affects Shop')).toContain('Affects Shop');
    await expectAccessible('new incident');
    await page.click('[data-testid="open-incident"]');
    await page.waitForSelector('#update-message');
    expect(await page.textContent('h1')).toContain('Slow checkout');
    for (const status of ['monitoring', 'resolved'] as const) {
      await page.check(`#status-${status}`);
      await page.fill('#update-message', status === 'resolved' ? 'Fixed.' : 'A fix is live; watching.');
      await page.click('[data-testid="post-update"]');
      await page.waitForFunction(
        (label) => document.querySelector('[data-testid="incident-status"]')?.textContent?.includes(label),
        status === 'resolved' ? 'Resolved' : 'Monitoring',
      );
    }
    await nav('Incidents');
    // The list is loaded when the view opens and refreshed by its poll: wait until both are listed (a loaded
    // machine may show the first load before the automatic resolution reached it), then read it.
    await page
      .waitForFunction(
        () => {
          const titles = Array.from(document.querySelectorAll('[data-testid="resolved-incidents"] li a'), (a) =>
            a.textContent?.trim(),
          );
          return titles.includes('Shop is down') && titles.includes('Slow checkout');
        },
        undefined,
        { timeout: 15_000 },
      )
      .catch(() => undefined);
    const resolved = await page.$$eval('[data-testid="resolved-incidents"] li', (items) =>
      items.map((item) => item.querySelector('a')?.textContent?.trim()),
    );
    expect(resolved).toEqual(expect.arrayContaining(['Shop is down', 'Slow checkout']));
  }, 45_000);

  it('pauses and resumes with a confirmation, by keyboard', async () => {
    await nav('Services');
    const pause = `${row('shop')} [data-testid="toggle-pause"]`;
    await page.waitForSelector(pause);
    await page.focus(pause);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    expect(await renderedText('dialog[open] h2', 'Pause Shop?')).toBe('Pause Shop?');
    await expectAccessible('pause confirmation');
    // Escape cancels and returns focus to the button.
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('toggle-pause');
    expect((await admin<AdminService>('GET', '/services/shop')).paused).toBe(false);

    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await page.keyboard.press('Tab'); // Cancel has focus first; the confirm button is next
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm');
    await page.keyboard.press('Enter');
    // This wait timed out twice in loaded full runs (30 s); what the page and the API said then goes with the error.
    await page.waitForSelector(`${row('shop')}[data-paused="true"]`).catch(async (error: unknown) => {
      await page.screenshot({ path: `${SCREENSHOTS}/failed-pause.png` }).catch(() => undefined);
      const alerts = await page.$$eval('[role="alert"], [data-testid="announcement"]', (nodes) =>
        nodes.map((node) => node.textContent?.trim()),
      );
      const stored = await admin<AdminService>('GET', '/services/shop').catch((reason: unknown) => String(reason));
      throw new Error(
        `${String(error)}\npage alerts: ${JSON.stringify(alerts)}; dialog open: ${(await page.$('dialog[open]')) !== null}; ` +
          `API says paused: ${typeof stored === 'string' ? stored : stored.paused}; app output tail:\n${app?.output().slice(-2000) ?? ''}`,
      );
    });
    expect((await admin<AdminService>('GET', '/services/shop')).paused).toBe(true);

    await page.click(pause); // Resume: no confirmation needed
    await page.waitForSelector(`${row('shop')}[data-paused="false"]`);
    expect((await admin<AdminService>('GET', '/services/shop')).paused).toBe(false);
  }, 45_000);

  it('schedules maintenance in local time with UTC shown, and cancels it', async () => {
    await nav('Maintenance');
    await page.waitForSelector('#maintenance-title');
    expect(await page.textContent('#maintenance-zone')).toContain(TIME_ZONE);
    await page.fill('#maintenance-title', 'Database upgrade');
    await page.check('#window-shop');
    // Tomorrow 03:00 to 04:00 New York time (EST or EDT, whichever applies then).
    const day = await page.evaluate(() => {
      const date = new Date(Date.now() + 86_400_000);
      return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    });
    await page.fill('#maintenance-startsAt', `${day}T03:00`);
    await page.fill('#maintenance-endsAt', `${day}T04:00`);
    const expectedStart = await page.evaluate((value) => new Date(value).toISOString(), `${day}T03:00`);
    expect(expectedStart).toMatch(/T0[78]:00:00\.000Z$/); // 03:00 in New York is 07:00 or 08:00 UTC
    expect(await page.textContent('[data-testid="starts-utc"]')).toBe(
      `${expectedStart.slice(0, 10)} ${expectedStart.slice(11, 16)} UTC`,
    );
    await page.fill('#maintenance-message', 'Up to 10 minutes of errors.');
    await page.click('[data-testid="schedule-maintenance"]');
    const item = '[data-testid="maintenance-list"] li';
    await page.waitForSelector(item);
    expect(await page.textContent(item)).toContain(`${expectedStart.slice(0, 10)} ${expectedStart.slice(11, 16)} UTC`);
    expect(await page.textContent(`${item} .when`)).toMatch(/03:00 EST|03:00 EDT/);
    const stored = await admin<MaintenanceWindow[]>('GET', '/maintenance');
    expect(stored.map((window) => [window.title, window.startsAt])).toEqual([['Database upgrade', expectedStart]]);
    await expectAccessible('maintenance');

    await page.click(`${item} [data-testid="cancel-maintenance"]`);
    await page.waitForSelector('dialog[open]');
    await page.click('dialog[open] [data-testid="confirm"]');
    await page.waitForSelector(item, { state: 'detached' });
    expect(await admin<MaintenanceWindow[]>('GET', '/maintenance')).toEqual([]);
  }, 30_000);

  it('deletes a service after confirmation', async () => {
    await admin('POST', '/services', { id: 'old', name: 'Old site', url: targets.url('/ok'), interval: '1m' });
    await nav('Services');
    await page.waitForSelector(row('old'));
    await page.click(`${row('old')} [data-testid="delete"]`);
    await page.waitForSelector('dialog[open]');
    expect(await renderedText('dialog[open]', 'This cannot be undone.')).toContain('This cannot be undone.');
    await page.click('dialog[open] [data-testid="confirm"]');
    await page.waitForSelector(row('old'), { state: 'detached' });
    expect(await page.textContent('[data-testid="announcement"]')).toContain('Old site (old) deleted');
  }, 30_000);

  it('creates a TCP service against a local TCP server: it turns up, listed as TCP', async () => {
    banner = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end('220 relay.test ESMTP ready\r\n');
    });
    await new Promise<void>((resolve) => banner!.listen(0, '127.0.0.1', resolve));
    const port = (banner.address() as AddressInfo).port;
    await nav('Services');
    await page.click('[data-testid="new-service"]');
    await page.waitForSelector('#svc-kind');
    await page.selectOption('#svc-kind', 'tcp');
    await page.waitForSelector('#svc-tcp-expect');
    expect(await page.$('#svc-method')).toBeNull();
    await page.fill('#svc-id', 'relay');
    await page.fill('#svc-name', 'Mail relay');
    await page.fill('#svc-url', `tcp://127.0.0.1:${port}`);
    await page.fill('#svc-tcp-expect', '220 relay.test');
    await page.fill('#svc-interval', '1s');
    await page.fill('#svc-timeout', '800ms');
    await expectAccessible('new TCP service');
    await page.click('[data-testid="save-service"]');
    await page.waitForSelector(`${row('relay')}[data-state="up"]`, { timeout: 10_000 });
    expect(await page.textContent(`${row('relay')} [data-testid="kind"]`)).toBe('TCP');
    expect(await page.getAttribute(row('relay'), 'data-kind')).toBe('tcp');
    const created = await admin<AdminService>('GET', '/services/relay');
    expect(created).toMatchObject({ kind: 'tcp', url: `tcp://127.0.0.1:${port}`, tcp: { expect: '220 relay.test' } });
    // Only what the admin set was sent: the flags keep following their defaults.
    expect(created.defaulted).toEqual(expect.arrayContaining(['insecureTls', 'certExpiryWarningDays']));
  }, 30_000);

  it('marks a service that accepts any certificate as "TLS not verified", in the list and on its page', async () => {
    await admin('POST', '/services', {
      id: 'legacy',
      name: 'Legacy portal',
      url: targets.url('/ok'),
      insecureTls: true,
      paused: true,
    });
    await page.waitForSelector(`${row('legacy')} [data-testid="tls-not-verified"]`, { timeout: 10_000 });
    expect(await page.textContent(`${row('legacy')} td[data-label="Check"]`)).toMatch(
      /^\s*HTTP\s*, TLS not verified\s*$/,
    );
    expect(await page.$(`${row('relay')} [data-testid="tls-not-verified"]`)).toBeNull();
    await page.click(`${row('legacy')} th a`);
    await page.waitForSelector('[data-testid="service-kind"] [data-testid="tls-not-verified"]');
    expect(await page.isChecked('#svc-insecureTls')).toBe(true);
    await expectAccessible('service with TLS not verified');
    await admin('DELETE', '/services/legacy');
  }, 30_000);

  let pingToken = '';

  it('creates a heartbeat service, shows its token once with the ping URL, and a ping turns it up', async () => {
    await nav('Services');
    await page.click('[data-testid="new-service"]');
    await page.waitForSelector('#svc-kind');
    await page.selectOption('#svc-kind', 'heartbeat');
    await page.waitForSelector('#svc-heartbeat-grace');
    expect(await page.$('#svc-url')).toBeNull();
    expect(await page.inputValue('#svc-failureThreshold')).toBe('1');
    await page.fill('#svc-id', 'nightly');
    await page.fill('#svc-name', 'Nightly export');
    await page.fill('#svc-interval', '1s');
    // Long enough that the service cannot turn down by itself while the rest of this suite runs.
    await page.fill('#svc-heartbeat-grace', '10m');
    await page.click('[data-testid="save-service"]');
    await page.waitForSelector('[data-testid="heartbeat-token"]');
    expect(await page.textContent('[data-testid="heartbeat-token"]')).toContain('shown only this once');
    await page.waitForFunction(() => document.activeElement?.id === 'heartbeat-token-title');
    pingToken = await page.inputValue('[data-testid="heartbeat-token-value"]');
    expect(pingToken).toMatch(/^hb\.nightly\.[A-Za-z0-9_-]{32}$/);
    const pingUrl = await page.inputValue('[data-testid="heartbeat-ping-url"]');
    expect(pingUrl).toBe(`${app!.baseUrl}/api/heartbeat/${pingToken}`);
    await expectAccessible('heartbeat token');
    // The token is not in any later answer: only its hash is kept.
    expect(JSON.stringify(await admin('GET', '/services/nightly'))).not.toContain(pingToken);

    const ping = await fetch(pingUrl, { method: 'POST' });
    expect({ status: ping.status, body: (await ping.json()) as unknown }).toEqual({ status: 200, body: { ok: true } });
    await page.click('[data-testid="token-done"]');
    await page.waitForSelector(`${row('nightly')}[data-state="up"]`, { timeout: 10_000 });
    expect(await page.textContent(`${row('nightly')} [data-testid="kind"]`)).toBe('Heartbeat');
  }, 30_000);

  it('rotates the ping token after a confirmation: the old token gets 404, the new one is recorded', async () => {
    await page.click(`${row('nightly')} th a`);
    await page.waitForSelector('[data-testid="rotate-token"]');
    await page.click('[data-testid="rotate-token"]');
    await page.waitForSelector('dialog[open]');
    const rotateTitle = 'Rotate the ping token of Nightly export?';
    expect(await renderedText('dialog[open] h2', rotateTitle)).toBe(rotateTitle);
    await expectAccessible('rotate token confirmation');
    await page.click('dialog[open] [data-testid="confirm"]');
    await page.waitForSelector('[data-testid="heartbeat-token"]');
    const rotated = await page.inputValue('[data-testid="heartbeat-token-value"]');
    expect(rotated).toMatch(/^hb\.nightly\.[A-Za-z0-9_-]{32}$/);
    expect(rotated).not.toBe(pingToken);
    expect(await page.textContent('[data-testid="announcement"]')).toContain('the old one no longer works');
    const old = await fetch(`${app!.baseUrl}/api/heartbeat/${pingToken}`, { method: 'POST' });
    expect(old.status).toBe(404);
    const fresh = await fetch(await page.inputValue('[data-testid="heartbeat-ping-url"]'));
    expect(fresh.status).toBe(200);
  }, 30_000);

  it('reads the audit log newest first, a page at a time, with who and before/after', async () => {
    // Enough changes for a second page (20 a page).
    for (let index = 0; index < 9; index += 1) {
      await admin('PATCH', '/services/shop', { name: `Shop ${index}` });
    }
    await admin('PATCH', '/services/shop', { name: 'Shop' });
    const all: AuditEntry[] = [];
    let cursor: string | null = null;
    do {
      const next: ApiPage<AuditEntry> = await admin('GET', `/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor !== null);
    expect(all.length).toBeGreaterThan(20);

    await nav('Audit log');
    await page.waitForSelector('[data-testid="audit-table"] tbody tr');
    const shown = () =>
      page.$$eval('[data-testid="audit-table"] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(await shown()).toEqual(all.slice(0, 20).map((entry) => entry.action));
    const newest = '[data-testid="audit-table"] tbody tr:first-child';
    expect(await page.textContent(newest)).toContain('Service updated');
    expect(await page.textContent(newest)).toContain(fingerprint);
    expect(await page.textContent(`${newest} .tag`)).toBe('you');
    expect(await page.textContent(`${newest} .changes code`)).toBe('name');
    expect(await page.textContent(`${newest} .changes .before`)).toBe('"Shop 8"');
    expect(await page.textContent(`${newest} .changes .after`)).toBe('"Shop"');
    await page.click(`${newest} summary`);
    expect(await page.textContent(`${newest} details`)).toContain('"name": "Shop 8"');
    await expectAccessible('audit log');
    await page.click('[data-testid="older-audit"]');
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="audit-table"] tbody tr').length === count,
      all.length,
    );
    expect(await shown()).toEqual(all.map((entry) => entry.action));
    expect(await page.textContent('app-audit-page')).toContain('That is every recorded change.');
  }, 30_000);

  it('saves screenshots of every view at 1280×800 (light) and 390×844 (dark) without horizontal overflow', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // Something on each list: an open incident and an upcoming window.
    const incident = await admin<{ id: string }>('POST', '/incidents', {
      title: 'Elevated latency on Shop',
      impact: 'minor',
      serviceIds: ['shop'],
      message: 'Pages load slowly for some users; we are investigating.',
    });
    await admin('POST', '/maintenance', {
      title: 'Database upgrade',
      serviceIds: ['shop', 'from-file'],
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      message: 'Up to 10 minutes of errors.',
    });
    const views: [string, string, string][] = [
      ['services', '/admin/services', `${row('shop')}[data-state="up"]`],
      ['service-new', '/admin/services/new', '#svc-id'],
      ['service-read-only', '/admin/services/from-file/edit', '[data-testid="read-only"]'],
      ['service-tcp', '/admin/services/relay/edit', '#svc-tcp-expect'],
      ['service-heartbeat', '/admin/services/nightly/edit', '[data-testid="rotate-token"]'],
      ['incidents', '/admin/incidents', '[data-testid="open-incidents"]'],
      ['incident', `/admin/incidents/${incident.id}`, '#update-message'],
      ['incident-new', '/admin/incidents/new', '#affects-shop'],
      ['maintenance', '/admin/maintenance', '[data-testid="maintenance-list"]'],
      ['audit', '/admin/audit', '[data-testid="audit-table"]'],
    ];
    for (const [name, viewport, scheme] of [
      ['desktop', { width: 1280, height: 800 }, 'light'],
      ['mobile', { width: 390, height: 844 }, 'dark'],
    ] as const) {
      const shot = await openPage(viewport);
      await shot.emulateMedia({ colorScheme: scheme });
      await shot.goto(`${app!.baseUrl}/admin`);
      await shot.waitForSelector('#admin-token');
      expect(
        await shot.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
      ).toBeLessThanOrEqual(0);
      await shot.screenshot({ path: `${SCREENSHOTS}/sign-in-${name}.png` });
      await shot.fill('#admin-token', token);
      await shot.press('#admin-token', 'Enter');
      await shot.waitForSelector(row('shop'));
      for (const [view, path, ready] of views) {
        await shot.evaluate((target) => {
          history.pushState(null, '', target);
          dispatchEvent(new PopStateEvent('popstate'));
        }, path);
        await shot.waitForSelector(ready, { timeout: 10_000 });
        await shot.waitForTimeout(300);
        const overflow = await shot.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ view, name, overflow }).toEqual({ view, name, overflow: 0 });
        await shot.screenshot({ path: `${SCREENSHOTS}/${view}-${name}.png` });
        if (name === 'mobile') await expectAccessible(`${view} at 390 px`, shot, scheme);
      }
      await shot.close();
    }
    expect(existsSync(`${SCREENSHOTS}/audit-mobile.png`)).toBe(true);
  }, 120_000);

  it('sends a session whose token stopped working back to sign-in with the reason (401)', async () => {
    await page.evaluate(() => sessionStorage.setItem('cloudops-status.admin-token', 'sp_revoked'));
    await page.reload();
    await page.waitForSelector('[data-testid="session-notice"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="session-notice"]')).toContain(
      'Your session ended: the API no longer accepts this admin token (HTTP 401',
    );
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  }, 30_000);

  it('shows the Retry-After wait after too many failed attempts (429)', async () => {
    for (let attempt = 0; attempt < 6 && !(await page.$('[data-testid="retry-after"]')); attempt += 1) {
      await page.fill('#admin-token', `sp_wrong_${attempt}`);
      // One answer per attempt (a submit while a check is under way is ignored); sign-in checks GET /api/admin/whoami.
      const answered = page.waitForResponse((response) => response.url().endsWith('/api/admin/whoami'));
      await page.press('#admin-token', 'Enter');
      await answered;
      await page.waitForFunction(
        () => document.querySelector('[data-testid="sign-in"]')?.textContent?.trim() === 'Sign in',
      );
    }
    await page.waitForSelector('[data-testid="retry-after"]');
    const notice = await page.textContent('[data-testid="retry-after"]');
    const [, seconds] =
      /HTTP 429\)\. The API refuses requests until \d{2}:\d{2}:\d{2}\.\s+\((\d+) s\)/.exec(notice ?? '') ?? [];
    expect(Number(seconds)).toBeGreaterThanOrEqual(50);
    expect(Number(seconds)).toBeLessThanOrEqual(60);
    expect(await page.textContent('#admin-token-error')).toContain('HTTP 429');
    // Signing in is held back while the address is blocked, even with the right token.
    expect(await page.getAttribute('[data-testid="sign-in"]', 'aria-disabled')).toBe('true');
    await expectAccessible('sign-in, rate limited');
    process.stdout.write(
      `axe-core ${axeVersion()}: ${axeRuns.length} runs, ${axeRuns.reduce((sum, run) => sum + run.violations.length, 0)} violations\n`,
    );
  }, 45_000);

  it('raised no Content-Security-Policy violation and no script error on any page it opened', () => {
    const seen = [...recorders.values()];
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.flatMap((recorder) => recorder.cspViolations)).toEqual([]);
    expect(seen.flatMap((recorder) => recorder.pageErrors)).toEqual([]);
  });
});
