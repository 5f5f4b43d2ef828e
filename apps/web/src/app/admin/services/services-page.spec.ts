import { TestBed } from '@angular/core/testing';
import type { AdminService } from '@app/contracts';
import { adminService, FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { service, statusResponse } from '../../../testing/fixtures';
import { FETCH } from '../../core/api/status-api';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { Confirmer, type ConfirmRequest } from '../shared/confirm-dialog';
import { ServicesPage } from './services-page';

describe('ServicesPage', () => {
  let fake: FakeFetch;
  let services: AdminService[];
  let asked: ConfirmRequest[];
  let confirmAnswer: boolean;

  beforeEach(() => {
    asked = [];
    confirmAnswer = true;
    services = [
      adminService({ id: 'billing', name: 'Billing', group: 'Core', source: 'config' }),
      adminService({
        id: 'shop',
        name: 'Shop',
        group: 'Store',
        state: 'down',
        lastCheck: { at: new Date().toISOString(), ok: false, latencyMs: 5, error: 'HTTP 503' },
      }),
    ];
    fake = new FakeFetch()
      .on('GET', /admin\/services$/, () => json(services))
      .on('GET', /\/api\/status$/, () =>
        json(
          statusResponse({
            services: [
              service({ id: 'billing' }),
              service({ id: 'shop', state: 'down', lastCheck: { ok: false, latencyMs: 5, error: 'HTTP 503' } }),
            ],
          }),
        ),
      );
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
      ],
    });
    TestBed.inject(AdminSession).signIn('sp_token');
  });

  async function render() {
    const fixture = TestBed.createComponent(ServicesPage);
    fixture.detectChanges();
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  it('lists every service with live state and last check; file services are read-only with the reason', async () => {
    const { element } = await render();
    const billing = element.querySelector('tr[data-service-id="billing"]')!;
    const shop = element.querySelector('tr[data-service-id="shop"]')!;
    expect(billing.querySelector('[data-testid="read-only-hint"]')?.textContent).toContain('edit the services file');
    expect(billing.querySelectorAll('button')).toHaveLength(0);
    expect(shop.getAttribute('data-state')).toBe('down');
    expect(shop.querySelector('.last-check')?.textContent).toMatch(/^HTTP 503 · \d s ago$/);
    expect([...shop.querySelectorAll('button')].map((button) => button.textContent?.trim())).toEqual([
      'Pause Shop',
      'Delete Shop',
    ]);
  });

  it("shows each service's check kind, and marks one that does not verify TLS in words", async () => {
    services = [
      adminService({ id: 'shop', name: 'Shop', insecureTls: true }),
      adminService({ id: 'db', name: 'Database', kind: 'tcp', url: 'tcp://db.example.com:5432', insecureTls: false }),
      adminService({ id: 'nightly', name: 'Nightly', kind: 'heartbeat', url: undefined, insecureTls: undefined }),
    ];
    const { element } = await render();
    const cell = (id: string) => element.querySelector(`tr[data-service-id="${id}"] td[data-label="Check"]`)!;
    expect(cell('shop').textContent?.replace(/\s+/g, ' ').trim()).toBe('HTTP, TLS not verified');
    expect(cell('db').textContent?.trim()).toBe('TCP');
    expect(cell('nightly').textContent?.trim()).toBe('Heartbeat');
    expect(element.querySelectorAll('[data-testid="tls-not-verified"]')).toHaveLength(1);
    expect(element.querySelector('tr[data-service-id="db"]')?.getAttribute('data-kind')).toBe('tcp');
  });

  it('filters by group and by state', async () => {
    const { fixture, element } = await render();
    const select = (id: string, value: string) => {
      const control = element.querySelector<HTMLSelectElement>(`#${id}`)!;
      control.value = value;
      control.dispatchEvent(new Event('change'));
    };
    const ids = () => [...element.querySelectorAll('tbody tr')].map((row) => row.getAttribute('data-service-id'));
    select('filter-state', 'down');
    await settle(fixture);
    expect(ids()).toEqual(['shop']);
    expect(element.querySelector('[data-testid="service-count"]')?.textContent).toBe('Showing 1 of 2 services');
    select('filter-state', 'all');
    select('filter-group', 'Core');
    await settle(fixture);
    expect(ids()).toEqual(['billing']);
  });

  it('pauses only after confirmation; resumes without asking', async () => {
    fake.on('PATCH', /admin\/services\/shop$/, (body) => {
      services = services.map((entry) => (entry.id === 'shop' ? { ...entry, ...(body as object) } : entry));
      return json(services[1]);
    });
    const { fixture, element } = await render();
    const toggle = () =>
      element.querySelector<HTMLButtonElement>('tr[data-service-id="shop"] [data-testid="toggle-pause"]')!;
    confirmAnswer = false;
    toggle().click();
    await settle(fixture);
    expect(asked.map((request) => request.title)).toEqual(['Pause Shop?']);
    expect(fake.requests.filter((request) => request.method === 'PATCH')).toEqual([]);

    confirmAnswer = true;
    toggle().click();
    await settle(fixture);
    expect(fake.requests.filter((request) => request.method === 'PATCH').map((request) => request.body)).toEqual([
      { paused: true },
    ]);
    expect(toggle().textContent).toContain('Resume');
    toggle().click();
    await settle(fixture);
    expect(asked).toHaveLength(2);
    expect(fake.requests.filter((request) => request.method === 'PATCH').at(-1)?.body).toEqual({ paused: false });
  });

  it('deletes only after a destructive confirmation, and reports a refusal', async () => {
    fake.on('DELETE', /admin\/services\/shop$/, () =>
      json({ statusCode: 409, error: 'Conflict', message: 'service "shop" is defined in the services file' }, 409),
    );
    const { fixture, element } = await render();
    element.querySelector<HTMLButtonElement>('tr[data-service-id="shop"] [data-testid="delete"]')!.click();
    await settle(fixture);
    expect(asked[0]).toMatchObject({ title: 'Delete Shop?', danger: true });
    expect(element.querySelector('[role="alert"]')?.textContent).toContain(
      'Shop: Refused (HTTP 409): service "shop" is defined in the services file.',
    );
  });

  it('renders a large catalog a hundred rows at a time, and finds a service by name or id', async () => {
    services = Array.from({ length: 250 }, (_, index) =>
      adminService({ id: `svc-${String(index).padStart(3, '0')}`, name: `Service ${index}` }),
    );
    const { fixture, element } = await render();
    const rows = () => element.querySelectorAll('tbody tr').length;
    expect(rows()).toBe(100);
    const more = () => element.querySelector<HTMLButtonElement>('[data-testid="more-services"]');
    expect(more()?.textContent).toContain('Show 100 more of 150 not shown');
    more()!.click();
    more()!.click();
    await settle(fixture);
    expect(rows()).toBe(250);
    expect(more()).toBeNull();

    const search = element.querySelector<HTMLInputElement>('#filter-text')!;
    search.value = 'svc-24';
    search.dispatchEvent(new Event('input'));
    await settle(fixture);
    expect([...element.querySelectorAll('tbody tr')].map((row) => row.getAttribute('data-service-id'))).toEqual([
      'svc-240',
      'svc-241',
      'svc-242',
      'svc-243',
      'svc-244',
      'svc-245',
      'svc-246',
      'svc-247',
      'svc-248',
      'svc-249',
    ]);
    expect(element.querySelector('[data-testid="service-count"]')?.textContent).toBe('Showing 10 of 250 services');
  });
});
