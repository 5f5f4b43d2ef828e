import { TestBed } from '@angular/core/testing';
import {
  adminService,
  FakeFetch,
  json,
  maintenanceWindow,
  MemoryStorage,
  settle,
} from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { Confirmer } from '../shared/confirm-dialog';
import { formatUtc } from '../shared/local-time';
import { MaintenancePage, toMaintenanceRequest } from './maintenance-page';

describe('MaintenancePage', () => {
  let fake: FakeFetch;
  let confirmAnswer: boolean;
  const future = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

  beforeEach(() => {
    confirmAnswer = true;
    fake = new FakeFetch()
      .on('GET', /admin\/services$/, () => json([adminService({ id: 'shop', name: 'Shop' })]))
      .on('GET', /admin\/maintenance$/, () =>
        json([
          maintenanceWindow({ id: 'past', title: 'Done', startsAt: future(-3), endsAt: future(-2) }),
          maintenanceWindow({ id: 'later', title: 'Later', startsAt: future(48), endsAt: future(49) }),
          maintenanceWindow({ id: 'now', title: 'Now', startsAt: future(-1), endsAt: future(1) }),
        ]),
      );
    TestBed.configureTestingModule({
      providers: [
        Announcer,
        { provide: Confirmer, useValue: { ask: () => Promise.resolve(confirmAnswer) } },
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    TestBed.inject(AdminSession).signIn('sp_token');
  });

  async function render() {
    const fixture = TestBed.createComponent(MaintenancePage);
    fixture.detectChanges();
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  it('lists active and upcoming windows soonest first, in local time with UTC alongside', async () => {
    const { element } = await render();
    const items = [...element.querySelectorAll('[data-testid="maintenance-list"] li')];
    expect(items.map((item) => item.getAttribute('data-maintenance-id'))).toEqual(['now', 'later']);
    expect(items[0]?.textContent).toContain('Active now');
    expect(items[1]?.textContent).toContain('Upcoming');
    expect(items[1]?.textContent).toContain(formatUtc(future(48)).slice(0, 10));
    expect(items[1]?.textContent).toContain('Affects Shop');
  });

  it('sends local wall time as UTC and shows the UTC time under each input', async () => {
    const { fixture, element } = await render();
    const set = (selector: string, value: string) => {
      const input = element.querySelector<HTMLInputElement>(selector)!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    set('#maintenance-title', 'DB upgrade');
    set('#maintenance-startsAt', '2030-06-01T02:00');
    set('#maintenance-endsAt', '2030-06-01T03:30');
    const box = element.querySelector<HTMLInputElement>('#window-shop')!;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await settle(fixture);
    const startUtc = new Date(2030, 5, 1, 2, 0).toISOString();
    expect(element.querySelector('[data-testid="starts-utc"]')?.textContent).toBe(formatUtc(startUtc));

    fake.on('POST', /admin\/maintenance$/, (body) => json({ ...maintenanceWindow(), ...(body as object) }, 201));
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(fake.requests.find((request) => request.method === 'POST')?.body).toEqual({
      title: 'DB upgrade',
      serviceIds: ['shop'],
      startsAt: startUtc,
      endsAt: new Date(2030, 5, 1, 3, 30).toISOString(),
      message: '',
    });
  });

  it("shows the API's time errors at the times", async () => {
    fake.on('POST', /admin\/maintenance$/, () =>
      json(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: '...',
          details: [{ path: 'endsAt', value: '2030-06-01T01:00:00.000Z', rule: 'must be after startsAt' }],
        },
        400,
      ),
    );
    const { fixture, element } = await render();
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(element.querySelector('#maintenance-endsAt-error')?.textContent).toContain('must be after startsAt');
    expect(element.querySelector('#maintenance-endsAt')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('sends an incomplete time as typed, so the API names it', () => {
    expect(
      toMaintenanceRequest({ title: 't', serviceIds: [], startsAt: '', endsAt: '2030-06-01T03:30', message: '' })
        .startsAt,
    ).toBe('');
  });

  it('cancels a window only after confirmation', async () => {
    fake.on('DELETE', /admin\/maintenance\/later$/, () => json(null, 204));
    const { fixture, element } = await render();
    const cancel = () =>
      element
        .querySelector<HTMLButtonElement>('[data-maintenance-id="later"] [data-testid="cancel-maintenance"]')!
        .click();
    confirmAnswer = false;
    cancel();
    await settle(fixture);
    expect(fake.requests.some((request) => request.method === 'DELETE')).toBe(false);
    confirmAnswer = true;
    cancel();
    await settle(fixture);
    expect(fake.requests.filter((request) => request.method === 'DELETE').map((request) => request.url)).toEqual([
      '/api/admin/maintenance/later',
    ]);
    expect(TestBed.inject(Announcer).message()?.text).toBe('Maintenance “Later” cancelled.');
  });
});
