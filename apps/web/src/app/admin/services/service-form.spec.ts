import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { adminService, FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { Navigation } from '../../core/navigation/navigation';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { ServiceForm } from './service-form';

describe('ServiceForm', () => {
  let fake: FakeFetch;
  let navigated: unknown[];

  function render(serviceId: string | null): { fixture: ComponentFixture<ServiceForm>; element: HTMLElement } {
    const fixture = TestBed.createComponent(ServiceForm);
    fixture.componentRef.setInput('serviceId', serviceId);
    fixture.detectChanges();
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  function type(element: HTMLElement, id: string, value: string): void {
    const input = element.querySelector<HTMLInputElement>(`#${id}`)!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function submit(element: HTMLElement): void {
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
  }

  beforeEach(() => {
    fake = new FakeFetch();
    navigated = [];
    TestBed.configureTestingModule({
      providers: [
        Announcer,
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
