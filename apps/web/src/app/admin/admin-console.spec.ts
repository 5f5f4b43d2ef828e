import { TestBed } from '@angular/core/testing';
import { FakeFetch, json, MemoryStorage, settle } from '../../testing/admin-fixtures';
import { statusResponse } from '../../testing/fixtures';
import { FETCH } from '../core/api/status-api';
import { AdminConsole } from './admin-console';
import { ADMIN_TOKEN_STORAGE, AdminSession } from './session/admin-session';

describe('AdminConsole', () => {
  let fake: FakeFetch;

  beforeEach(() => {
    fake = new FakeFetch()
      .on('GET', /admin\/services$/, () => json([]))
      .on('GET', /\/api\/status$/, () => json(statusResponse({ services: [] })));
    TestBed.configureTestingModule({
      providers: [
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
  });

  async function render(path: string) {
    const fixture = TestBed.createComponent(AdminConsole);
    fixture.componentRef.setInput('path', path);
    fixture.detectChanges();
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  it('shows only the sign-in form until signed in, and asks search engines to stay out', async () => {
    const { element } = await render('audit');
    expect(element.querySelector('app-sign-in')).not.toBeNull();
    expect(element.querySelector('nav')).toBeNull();
    expect(fake.requests).toEqual([]);
    expect(document.querySelector('meta[name="robots"]')?.getAttribute('content')).toBe('noindex, nofollow');
    expect(document.title).toBe('Sign in — Admin — CloudOps Status');
  });

  it('marks the current section and names the view in the title', async () => {
    TestBed.inject(AdminSession).signIn('sp_token');
    const { element } = await render('services/new');
    const current = element.querySelector('nav a[aria-current="page"]');
    expect(current?.textContent).toBe('Services');
    expect(element.querySelector('app-service-form')).not.toBeNull();
    expect(document.title).toBe('New service — Admin — CloudOps Status');
  });

  it('says so for an unknown console page', async () => {
    TestBed.inject(AdminSession).signIn('sp_token');
    const { element } = await render('settings');
    expect(element.querySelector('h1')?.textContent).toBe('Not found');
    expect(element.querySelector('nav a[aria-current]')).toBeNull();
  });

  it('returns to sign-in with the reason when the API stops accepting the token (401)', async () => {
    fake.on('GET', /admin\/services$/, () =>
      json({ statusCode: 401, error: 'Unauthorized', message: 'the admin token is not valid' }, 401),
    );
    TestBed.inject(AdminSession).signIn('sp_rotated');
    const { element } = await render('services');
    expect(element.querySelector('app-sign-in')).not.toBeNull();
    expect(element.querySelector('[data-testid="session-notice"]')?.getAttribute('role')).toBe('alert');
    expect(element.querySelector('[data-testid="session-notice"]')?.textContent).toContain(
      'the API no longer accepts this admin token (HTTP 401: the admin token is not valid)',
    );
  });

  it('signs out: the token is gone and the form says so', async () => {
    TestBed.inject(AdminSession).signIn('sp_token');
    const { fixture, element } = await render('services');
    element.querySelector<HTMLButtonElement>('[data-testid="sign-out"]')!.click();
    await settle(fixture);
    expect(TestBed.inject(ADMIN_TOKEN_STORAGE)?.length).toBe(0);
    expect(element.querySelector('[data-testid="session-notice"]')?.textContent).toContain('You are signed out');
  });

  it('shows the Retry-After wait of a 429 to a signed-in admin', async () => {
    TestBed.inject(AdminSession).signIn('sp_token');
    TestBed.inject(AdminSession).rateLimited(45);
    const { element } = await render('services');
    const notice = element.querySelector('[data-testid="retry-after"]');
    expect(notice?.getAttribute('role')).toBe('alert');
    expect(notice?.textContent).toMatch(/refuses requests until \d{2}:\d{2}:\d{2}\.\s+\(4[45] s\)/);
  });
});
