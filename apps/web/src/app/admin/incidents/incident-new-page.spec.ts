import { TestBed } from '@angular/core/testing';
import { adminIncident, adminService, FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { Navigation } from '../../core/navigation/navigation';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { IncidentEdits } from './incident-edits';
import { IncidentNewPage, toCreateRequest } from './incident-new-page';

describe('IncidentNewPage', () => {
  let fake: FakeFetch;
  let navigated: unknown[];

  beforeEach(() => {
    navigated = [];
    fake = new FakeFetch().on('GET', /admin\/services$/, () =>
      json([adminService({ id: 'shop', name: 'Shop' }), adminService({ id: 'db', name: 'Database' })]),
    );
    TestBed.configureTestingModule({
      providers: [
        Announcer,
        IncidentEdits,
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: Navigation, useValue: { navigate: (route: unknown) => navigated.push(route), href: () => '/' } },
      ],
    });
    TestBed.inject(AdminSession).signIn('sp_token');
  });

  it('asks for an impact before sending (the API has no "not chosen")', () => {
    const draft = {
      title: 'x',
      impact: null,
      serviceIds: [],
      status: 'investigating' as const,
      message: 'y',
      notify: false,
    };
    expect(toCreateRequest(draft)).toEqual({
      ok: false,
      problems: [{ path: 'impact', value: undefined, rule: 'choose one: none, minor, major or critical' }],
    });
  });

  it('opens a manual incident with the chosen services, previewed first', async () => {
    fake.on('POST', /admin\/incidents$/, () => json(adminIncident({ id: 'inc-9', title: 'Checkout errors' }), 201));
    const fixture = TestBed.createComponent(IncidentNewPage);
    fixture.detectChanges();
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const input = (selector: string, value: string) => {
      const field = element.querySelector<HTMLInputElement | HTMLTextAreaElement>(selector)!;
      field.value = value;
      field.dispatchEvent(new Event('input'));
    };
    const check = (selector: string) => {
      const box = element.querySelector<HTMLInputElement>(selector)!;
      box.checked = true;
      box.dispatchEvent(new Event('change'));
    };
    input('#incident-title', 'Checkout errors');
    check('#impact-major');
    check('#affects-shop');
    check('#incident-notify');
    input('#incident-message', 'Investigating failed payments.');
    await settle(fixture);
    const preview = element.querySelector('[data-testid="preview"] app-incident-card')!;
    expect(preview.textContent).toContain('Checkout errors');
    expect(preview.textContent).toContain('Major impact');
    expect(preview.textContent).toContain('Affects Shop');
    expect(preview.textContent).toContain('Investigating failed payments.');

    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(fake.requests.find((request) => request.method === 'POST')?.body).toEqual({
      title: 'Checkout errors',
      impact: 'major',
      serviceIds: ['shop'],
      status: 'investigating',
      message: 'Investigating failed payments.',
      notify: true,
    });
    expect(navigated).toEqual([{ kind: 'admin', path: 'incidents/inc-9' }]);
    expect(TestBed.inject(Announcer).message()?.text).toBe('Incident “Checkout errors” opened and on-call notified.');
    expect(TestBed.inject(IncidentEdits).one(null, 'inc-9')?.title).toBe('Checkout errors');
  });

  it('shows an unknown service id from the API next to the services', async () => {
    fake.on('POST', /admin\/incidents$/, () =>
      json(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: '...',
          details: [{ path: 'serviceIds', value: 'shop', rule: 'is not a monitored service id' }],
        },
        400,
      ),
    );
    const fixture = TestBed.createComponent(IncidentNewPage);
    fixture.detectChanges();
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const impact = element.querySelector<HTMLInputElement>('#impact-minor')!;
    impact.checked = true;
    impact.dispatchEvent(new Event('change'));
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(element.querySelector('#incident-serviceIds-error')?.textContent).toContain(
      '"shop" is not a monitored service id',
    );
    expect(element.querySelector('#incident-serviceIds')?.getAttribute('aria-describedby')).toBe(
      'incident-serviceIds-error',
    );
  });
});
