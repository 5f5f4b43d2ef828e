import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { adminService, FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { Navigation } from '../../core/navigation/navigation';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { Confirmer, type ConfirmRequest } from '../shared/confirm-dialog';
import { ServiceForm } from './service-form';

describe('ServiceForm', () => {
  let fake: FakeFetch;
  let navigated: unknown[];
  let asked: ConfirmRequest[];
  let confirmAnswer: boolean;

  function render(serviceId: string | null): { fixture: ComponentFixture<ServiceForm>; element: HTMLElement } {
    const fixture = TestBed.createComponent(ServiceForm);
    fixture.componentRef.setInput('serviceId', serviceId);
    fixture.detectChanges();
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  function type(element: HTMLElement, id: string, value: string): void {
    const input = element.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function choose(element: HTMLElement, id: string, value: string): void {
    const select = element.querySelector<HTMLSelectElement>(`#${id}`)!;
    select.value = value;
    select.dispatchEvent(new Event('change'));
  }

  function tick(element: HTMLElement, id: string, checked: boolean): void {
    const box = element.querySelector<HTMLInputElement>(`#${id}`)!;
    box.checked = checked;
    box.dispatchEvent(new Event('change'));
  }

  /** Ids of the check options on screen (common fields such as the interval are left out). */
  function options(element: HTMLElement): string[] {
    const common = ['svc-kind', 'svc-interval', 'svc-timeout'];
    return [...element.querySelectorAll('fieldset.group:nth-of-type(2) [id^="svc-"]')]
      .filter((node) => /^(INPUT|SELECT|TEXTAREA)$/.test(node.tagName))
      .map((node) => node.id)
      .filter((id) => !common.includes(id));
  }

  function submit(element: HTMLElement): void {
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
  }

  beforeEach(() => {
    fake = new FakeFetch();
    navigated = [];
    asked = [];
    confirmAnswer = true;
    TestBed.configureTestingModule({
      providers: [
        Announcer,
        {
          provide: Confirmer,
          useValue: {
            ask: (request: ConfirmRequest) => {
              asked.push(request);
              return Promise.resolve(confirmAnswer);
            },
          },
        },
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: Navigation, useValue: { navigate: (route: unknown) => navigated.push(route), href: () => '/' } },
      ],
    });
    TestBed.inject(AdminSession).signIn('sp_token');
  });

  it("starts a new service with the API's defaults and sends what the admin typed", async () => {
    fake.on('POST', /\/admin\/services$/, (body) => json({ ...adminService(), ...(body as object) }, 201));
    const { fixture, element } = render(null);
    expect(element.querySelector<HTMLInputElement>('#svc-interval')!.value).toBe('30s');
    expect(element.querySelector<HTMLInputElement>('#svc-failureThreshold')!.value).toBe('3');
    expect(element.querySelector<HTMLInputElement>('#svc-expectedStatus')!.value).toBe('200-299');
    type(element, 'svc-id', 'shop');
    type(element, 'svc-name', ' Shop ');
    type(element, 'svc-url', 'https://shop.example.com/health');
    type(element, 'svc-expectedStatus', '200, 300-399');
    submit(element);
    await settle(fixture);
    expect(fake.requests.at(-1)?.body).toEqual({
      id: 'shop',
      name: 'Shop',
      url: 'https://shop.example.com/health',
      method: 'GET',
      interval: '30s',
      failureThreshold: 3,
      recoveryThreshold: 2,
      expectedStatus: [200, '300-399'],
      slo: { target: 99.9, window: '30d' },
      degradedOpensIncident: false,
      paused: false,
    });
    expect(navigated).toEqual([{ kind: 'admin', path: 'services' }]);
    expect(TestBed.inject(Announcer).message()?.text).toContain('Service Shop (shop) created');
  });

  it("puts the API's field errors next to their fields and in a focused summary", async () => {
    fake.on('POST', /services$/, () =>
      json(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: '...',
          details: [
            { path: 'timeout', value: '30s', rule: 'must be shorter than the interval (30s)' },
            { path: 'slo.window', value: '2w', rule: 'must be a whole number of days, e.g. "30d"' },
            { path: 'color', value: 'red', rule: 'is not a known field' },
          ],
        },
        400,
      ),
    );
    const { fixture, element } = render(null);
    type(element, 'svc-timeout', '30s');
    submit(element);
    await settle(fixture);

    const timeout = element.querySelector('#svc-timeout')!;
    expect(timeout.getAttribute('aria-invalid')).toBe('true');
    expect(timeout.getAttribute('aria-describedby')).toContain('svc-timeout-error');
    expect(element.querySelector('#svc-timeout-error')?.textContent).toContain(
      '"30s" must be shorter than the interval (30s)',
    );
    expect(element.querySelector('#svc-slo-window-error')?.textContent).toContain(
      '"2w" must be a whole number of days',
    );
    expect(element.querySelector('#svc-name')?.getAttribute('aria-invalid')).toBeNull();

    const summary = element.querySelector<HTMLElement>('[data-testid="error-summary"]')!;
    expect(summary.getAttribute('role')).toBe('alert');
    expect(summary.textContent).toContain('Timeout: "30s" must be shorter than the interval (30s)');
    expect(summary.textContent).toContain('color: "red" is not a known field');
    expect(document.activeElement).toBe(summary);
    expect(navigated).toEqual([]);
  });

  it('reports letters in a number field without sending anything', async () => {
    const { fixture, element } = render(null);
    type(element, 'svc-failureThreshold', 'three');
    submit(element);
    await settle(fixture);
    expect(fake.requests).toEqual([]);
    expect(element.querySelector('#svc-failureThreshold-error')?.textContent).toContain('"three" must be a number');
  });

  it('edits an API service with PUT and shows a conflict as a message', async () => {
    fake.on('GET', /services\/shop$/, () => json(adminService({ group: 'Payments', latencyThresholdMs: 800 })));
    fake.on('PUT', /services\/shop$/, () =>
      json({ statusCode: 409, error: 'Conflict', message: 'service "shop" is being changed' }, 409),
    );
    const { fixture, element } = render('shop');
    await settle(fixture);
    expect(element.querySelector<HTMLInputElement>('#svc-id')!.readOnly).toBe(true);
    expect(element.querySelector<HTMLInputElement>('#svc-group')!.value).toBe('Payments');
    type(element, 'svc-group', '');
    submit(element);
    await settle(fixture);
    const put = fake.requests.at(-1)!;
    expect(put.method).toBe('PUT');
    // An emptied optional field is left out: PUT applies the default (no group). So is a timeout that follows
    // its default (the interval's): sending it back would freeze it.
    expect(put.body).not.toHaveProperty('group');
    expect(put.body).not.toHaveProperty('timeout');
    expect(put.body).toMatchObject({ latencyThresholdMs: 800 });
    expect(element.querySelector('[data-testid="error-summary"]')?.textContent).toContain(
      'Refused (HTTP 409): service "shop" is being changed',
    );
  });

  it('keeps what it does not edit (kind, headers with redacted secrets, assertions) when it saves', async () => {
    const headers = [{ name: 'X-Api-Key', value: '(redacted)', secret: true }];
    const assertions = { contains: ['"status":"UP"'] };
    fake.on('GET', /services\/shop$/, () => json(adminService({ method: 'POST', body: '{}', headers, assertions })));
    fake.on('PUT', /services\/shop$/, (body) => json(adminService(body as object)));
    const { fixture, element } = render('shop');
    await settle(fixture);
    type(element, 'svc-name', 'Shop 2');
    submit(element);
    await settle(fixture);
    const put = fake.requests.find((request) => request.method === 'PUT')!;
    expect(put.body).toMatchObject({ name: 'Shop 2', kind: 'http', method: 'POST', body: '{}', headers, assertions });
  });

  it('sends no url, method or statuses for a DNS service', async () => {
    const dns = { name: 'example.com', type: 'A' as const };
    fake.on('GET', /services\/shop$/, () =>
      json(adminService({ kind: 'dns', dns, url: undefined, method: undefined, expectedStatus: undefined })),
    );
    fake.on('PUT', /services\/shop$/, (body) => json(adminService(body as object)));
    const { fixture, element } = render('shop');
    await settle(fixture);
    submit(element);
    await settle(fixture);
    const put = fake.requests.find((request) => request.method === 'PUT')!;
    expect(put.body).toMatchObject({ kind: 'dns', dns });
    expect(put.body).not.toHaveProperty('url');
    expect(put.body).not.toHaveProperty('method');
    expect(put.body).not.toHaveProperty('expectedStatus');
  });

  it('names the check kind of a loaded service and marks TLS not verified in words', async () => {
    fake.on('GET', /services\/shop$/, () => json(adminService({ insecureTls: true })));
    fake.on('GET', /services\/db$/, () =>
      json(adminService({ id: 'db', kind: 'tcp', url: 'tcp://db.example.com:5432', tcp: { tls: true } })),
    );
    const shop = render('shop');
    await settle(shop.fixture);
    const kind = shop.element.querySelector('[data-testid="service-kind"]')!;
    expect(kind.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'HTTP check TLS not verified: any certificate is accepted (expired, self-signed, wrong host).',
    );
    const db = render('db');
    await settle(db.fixture);
    expect(db.element.querySelector('[data-testid="service-kind"]')?.textContent?.trim()).toBe('TCP check');
    expect(db.element.querySelector('[data-testid="tls-not-verified"]')).toBeNull();
  });

  it("shows only the chosen kind's options, HTTP first", async () => {
    const { fixture, element } = render(null);
    expect(element.querySelector<HTMLSelectElement>('#svc-kind')!.value).toBe('http');
    expect(options(element)).toEqual([
      'svc-url',
      'svc-method',
      'svc-expectedStatus',
      'svc-followRedirects',
      'svc-insecureTls',
      'svc-certExpiryWarningDays',
    ]);
    choose(element, 'svc-kind', 'tcp');
    await settle(fixture);
    expect(options(element)).toEqual([
      'svc-url',
      'svc-tcp-tls',
      'svc-tcp-send',
      'svc-tcp-expect',
      'svc-insecureTls',
      'svc-certExpiryWarningDays',
    ]);
    expect(element.querySelector('#svc-url-hint')?.textContent).toContain('tcp://host:port');
    choose(element, 'svc-kind', 'dns');
    await settle(fixture);
    expect(options(element)).toEqual(['svc-dns-name', 'svc-dns-type', 'svc-dns-server', 'svc-dns-expect']);
    choose(element, 'svc-kind', 'heartbeat');
    await settle(fixture);
    expect(options(element)).toEqual(['svc-heartbeat-grace']);
    // A heartbeat is one event per interval: its thresholds start at 1, unless the admin typed others.
    expect(element.querySelector<HTMLInputElement>('#svc-failureThreshold')!.value).toBe('1');
    expect(element.querySelector<HTMLInputElement>('#svc-recoveryThreshold')!.value).toBe('1');
    choose(element, 'svc-kind', 'http');
    type(element, 'svc-failureThreshold', '5');
    choose(element, 'svc-kind', 'heartbeat');
    await settle(fixture);
    expect(element.querySelector<HTMLInputElement>('#svc-failureThreshold')!.value).toBe('5');
    expect(element.querySelector<HTMLInputElement>('#svc-recoveryThreshold')!.value).toBe('1');
  });

  it('creates a TCP service with only the options the admin set', async () => {
    fake.on('POST', /\/admin\/services$/, (body) => json(adminService(body as object), 201));
    const { fixture, element } = render(null);
    choose(element, 'svc-kind', 'tcp');
    await settle(fixture);
    type(element, 'svc-id', 'cache');
    type(element, 'svc-name', 'Cache');
    type(element, 'svc-url', ' tcp://cache.example.com:6379 ');
    type(element, 'svc-tcp-send', 'PING\n');
    type(element, 'svc-tcp-expect', '+PONG');
    submit(element);
    await settle(fixture);
    expect(fake.requests.at(-1)?.body).toEqual({
      id: 'cache',
      name: 'Cache',
      kind: 'tcp',
      url: 'tcp://cache.example.com:6379',
      tcp: { send: 'PING\r\n', expect: '+PONG' },
      interval: '30s',
      failureThreshold: 3,
      recoveryThreshold: 2,
      slo: { target: 99.9, window: '30d' },
      degradedOpensIncident: false,
      paused: false,
    });
    expect(navigated).toEqual([{ kind: 'admin', path: 'services' }]);
  });

  it('sends TLS and certificate options only when set, and keeps flags the stored definition set', async () => {
    fake.on('POST', /\/admin\/services$/, (body) => json(adminService(body as object), 201));
    const { fixture, element } = render(null);
    type(element, 'svc-id', 'legacy');
    type(element, 'svc-name', 'Legacy');
    type(element, 'svc-url', 'https://legacy.example.com');
    tick(element, 'svc-insecureTls', true);
    type(element, 'svc-certExpiryWarningDays', '30');
    submit(element);
    await settle(fixture);
    const created = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(created).toMatchObject({ insecureTls: true, certExpiryWarningDays: 30 });
    expect(created).not.toHaveProperty('followRedirects');
    expect(created).not.toHaveProperty('kind');

    // Stored with followRedirects: true written out (not defaulted): a save keeps it written.
    fake.on('GET', /services\/legacy$/, () =>
      json(adminService({ id: 'legacy', insecureTls: true, defaulted: ['group', 'timeout', 'insecureTls'] })),
    );
    fake.on('PUT', /services\/legacy$/, (body) => json(adminService(body as object)));
    const edit = render('legacy');
    await settle(edit.fixture);
    expect(edit.element.querySelector<HTMLInputElement>('#svc-insecureTls')!.checked).toBe(true);
    expect(edit.element.querySelector<HTMLInputElement>('#svc-certExpiryWarningDays')!.value).toBe('14');
    tick(edit.element, 'svc-insecureTls', false);
    submit(edit.element);
    await settle(edit.fixture);
    const put = fake.requests.at(-1)!.body as Record<string, unknown>;
    expect(put).toMatchObject({ followRedirects: true, certExpiryWarningDays: 14 });
    // insecureTls was defaulted and is back at its default: left out, so it follows the default.
    expect(put).not.toHaveProperty('insecureTls');
  });

  it("creates a DNS service and puts the API's errors on its fields", async () => {
    fake.on('POST', /\/admin\/services$/, () =>
      json(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: '...',
          details: [
            { path: 'dns.server', value: '10.0.0.2', rule: 'is a private address (10.0.0.0/8)' },
            { path: 'dns.expect[1]', value: 'not-an-ip', rule: 'must be an IPv4 address for type A' },
          ],
        },
        400,
      ),
    );
    const { fixture, element } = render(null);
    choose(element, 'svc-kind', 'dns');
    await settle(fixture);
    type(element, 'svc-id', 'mail');
    type(element, 'svc-name', 'Mail DNS');
    type(element, 'svc-dns-name', ' example.com ');
    choose(element, 'svc-dns-type', 'MX');
    type(element, 'svc-dns-server', '10.0.0.2');
    type(element, 'svc-dns-expect', '10 mx1.example.com\n\n 20 mx2.example.com \n');
    submit(element);
    await settle(fixture);
    const body = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      kind: 'dns',
      dns: {
        name: 'example.com',
        type: 'MX',
        server: '10.0.0.2',
        expect: ['10 mx1.example.com', '20 mx2.example.com'],
      },
    });
    for (const field of ['url', 'method', 'expectedStatus', 'insecureTls', 'certExpiryWarningDays', 'tcp'])
      expect(body).not.toHaveProperty(field);
    expect(element.querySelector('#svc-dns-server-error')?.textContent).toContain(
      '"10.0.0.2" is a private address (10.0.0.0/8)',
    );
    expect(element.querySelector('#svc-dns-expect')?.getAttribute('aria-invalid')).toBe('true');
    expect(element.querySelector('[data-testid="error-summary"]')?.textContent).toContain(
      'DNS server: "10.0.0.2" is a private address',
    );
  });

  it('shows a new heartbeat service its ping token once, with the ping URL and copy buttons', async () => {
    const token = 'hb.nightly.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const written: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: (text: string) => (written.push(text), Promise.resolve()) },
    });
    fake.on('POST', /\/admin\/services$/, (body) =>
      json(
        adminService({
          ...(body as object),
          url: undefined,
          method: undefined,
          heartbeat: { grace: '5m' },
          heartbeatToken: token,
        }),
        201,
      ),
    );
    const { fixture, element } = render(null);
    choose(element, 'svc-kind', 'heartbeat');
    await settle(fixture);
    type(element, 'svc-id', 'nightly');
    type(element, 'svc-name', 'Nightly backup');
    type(element, 'svc-interval', '24h');
    type(element, 'svc-heartbeat-grace', '5m');
    submit(element);
    await settle(fixture);
    expect(fake.requests.at(-1)?.body).toEqual({
      id: 'nightly',
      name: 'Nightly backup',
      kind: 'heartbeat',
      heartbeat: { grace: '5m' },
      interval: '24h',
      failureThreshold: 1,
      recoveryThreshold: 1,
      slo: { target: 99.9, window: '30d' },
      degradedOpensIncident: false,
      paused: false,
    });
    expect(navigated).toEqual([]);
    const panel = element.querySelector('[data-testid="heartbeat-token"]')!;
    expect(panel.textContent).toContain('shown only this once');
    expect(element.querySelector<HTMLInputElement>('[data-testid="heartbeat-token-value"]')!.value).toBe(token);
    const url = element.querySelector<HTMLInputElement>('[data-testid="heartbeat-ping-url"]')!.value;
    expect(new URL(url).pathname).toBe(`/api/heartbeat/${token}`);
    // The form is gone (a second submit would try to create it again); the way out is a link.
    expect(element.querySelector('form')).toBeNull();
    expect(element.querySelector('[data-testid="token-done"]')?.textContent).toContain('back to services');

    const buttons = panel.querySelectorAll<HTMLButtonElement>('button');
    buttons[0]!.click();
    await settle(fixture);
    buttons[1]!.click();
    await settle(fixture);
    expect(written).toEqual([token, url]);
    expect(element.querySelector('[data-testid="copy-status"]')?.textContent).toBe('Ping URL copied.');
  });

  it('selects the token for copying by hand when the browser refuses the clipboard', async () => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: () => Promise.reject(new Error('denied')) },
    });
    fake.on('POST', /\/admin\/services$/, (body) =>
      json(adminService({ ...(body as object), heartbeatToken: 'hb.x.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }), 201),
    );
    const { fixture, element } = render(null);
    choose(element, 'svc-kind', 'heartbeat');
    type(element, 'svc-id', 'x');
    type(element, 'svc-name', 'X');
    submit(element);
    await settle(fixture);
    element.querySelector<HTMLButtonElement>('[data-testid="heartbeat-token"] button')!.click();
    await settle(fixture);
    expect(element.querySelector('[data-testid="copy-status"]')?.textContent).toContain('press Ctrl+C');
    expect(document.activeElement?.id).toBe('heartbeat-token-value');
  });

  it('rotates the ping token of a heartbeat service only after a confirmation', async () => {
    const heartbeat = adminService({
      id: 'nightly',
      name: 'Nightly',
      kind: 'heartbeat',
      url: undefined,
      method: undefined,
      expectedStatus: undefined,
      insecureTls: undefined,
      heartbeat: { grace: '1m' },
    });
    fake.on('GET', /services\/nightly$/, () => json(heartbeat));
    fake.on('POST', /services\/nightly\/heartbeat-token$/, () =>
      json({ token: 'hb.nightly.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC', path: '/api/heartbeat/hb.nightly.CCCC' }),
    );
    const { fixture, element } = render('nightly');
    await settle(fixture);
    const rotate = () => element.querySelector<HTMLButtonElement>('[data-testid="rotate-token"]')!;
    confirmAnswer = false;
    rotate().click();
    await settle(fixture);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ title: 'Rotate the ping token of Nightly?', danger: true });
    expect(asked[0]!.body).toContain('stops working at once');
    expect(fake.requests.filter((request) => request.method === 'POST')).toEqual([]);
    expect(element.querySelector('[data-testid="heartbeat-token"]')).toBeNull();

    confirmAnswer = true;
    rotate().click();
    await settle(fixture);
    expect(fake.requests.filter((request) => request.method === 'POST').map((request) => request.url)).toEqual([
      expect.stringMatching(/\/api\/admin\/services\/nightly\/heartbeat-token$/),
    ]);
    expect(element.querySelector<HTMLInputElement>('[data-testid="heartbeat-token-value"]')!.value).toBe(
      'hb.nightly.CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC',
    );
    expect(TestBed.inject(Announcer).message()?.text).toContain('the old one no longer works');
    // Editing goes on below: the form stays.
    expect(element.querySelector('form')).not.toBeNull();
    expect(element.querySelector<HTMLInputElement>('#svc-heartbeat-grace')!.value).toBe('1m');

    // A heartbeat from the services file has its token in the file: nothing to rotate here.
    fake.on('GET', /services\/file-beat$/, () => json({ ...heartbeat, id: 'file-beat', source: 'config' }));
    const file = render('file-beat');
    await settle(file.fixture);
    expect(file.element.querySelector('[data-testid="rotate-token"]')).toBeNull();
  });

  it('turning an HTTP service into another kind drops its HTTP options, and says so first', async () => {
    const headers = [{ name: 'X-Api-Key', value: '(redacted)', secret: true }];
    fake.on('GET', /services\/shop$/, () => json(adminService({ headers, assertions: { contains: ['ok'] } })));
    fake.on('PUT', /services\/shop$/, (body) => json(adminService(body as object)));
    const { fixture, element } = render('shop');
    await settle(fixture);
    expect(element.querySelector('[data-testid="kept-options"]')?.textContent).toContain(
      '1 request header, response assertions',
    );
    choose(element, 'svc-kind', 'tcp');
    await settle(fixture);
    expect(element.querySelector('[data-testid="dropped-options"]')?.textContent).toContain(
      'Saving as TCP drops this service',
    );
    type(element, 'svc-url', 'tcp://shop.example.com:443');
    tick(element, 'svc-tcp-tls', true);
    submit(element);
    await settle(fixture);
    const put = fake.requests.at(-1)!.body as Record<string, unknown>;
    expect(put).toMatchObject({ kind: 'tcp', url: 'tcp://shop.example.com:443', tcp: { tls: true } });
    for (const field of ['headers', 'assertions', 'method', 'expectedStatus', 'followRedirects'])
      expect(put).not.toHaveProperty(field);
  });

  it('shows a service from the services file read-only, with the reason and no save', async () => {
    fake.on('GET', /services\/billing$/, () => json(adminService({ id: 'billing', source: 'config' })));
    const { fixture, element } = render('billing');
    await settle(fixture);
    expect(element.querySelector('[data-testid="read-only"]')?.textContent).toContain(
      'edit the file: the server reloads it',
    );
    expect(element.querySelector<HTMLInputElement>('#svc-name')!.matches(':disabled')).toBe(true);
    expect(element.querySelector('[data-testid="save-service"]')).toBeNull();
    submit(element);
    await settle(fixture);
    expect(fake.requests.map((request) => request.method)).toEqual(['GET']);
  });
});
