import { TestBed } from '@angular/core/testing';
import { FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { ADMIN_TOKEN_STORAGE, AdminSession, TOKEN_KEY } from './admin-session';
import { SignIn } from './sign-in';

describe('SignIn', () => {
  let fake: FakeFetch;
  let storage: MemoryStorage;

  beforeEach(() => {
    fake = new FakeFetch();
    storage = new MemoryStorage();
    TestBed.configureTestingModule({
      providers: [
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: storage },
      ],
    });
  });

  async function signInWith(token: string) {
    const fixture = TestBed.createComponent(SignIn);
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    const input = element.querySelector<HTMLInputElement>('#admin-token')!;
    input.value = token;
    input.dispatchEvent(new Event('input'));
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    return element;
  }

  it('keeps a token only after the API accepted it', async () => {
    fake.on('GET', /admin\/whoami$/, () => json({ actor: 'abcdef012345' }));
    await signInWith('  sp_good  ');
    expect(fake.requests[0]?.headers['authorization']).toBe('Bearer sp_good');
    expect(TestBed.inject(AdminSession).signedIn()).toBe(true);
    expect(storage.getItem(TOKEN_KEY)).toBe('sp_good');
  });

  it('says why a token was refused (401), at the field, without echoing it', async () => {
    fake.on('GET', /admin\/whoami$/, () =>
      json({ statusCode: 401, error: 'Unauthorized', message: 'the admin token is not valid' }, 401),
    );
    const element = await signInWith('sp_wrong');
    const error = element.querySelector('#admin-token-error')?.textContent ?? '';
    expect(error).toContain('was not accepted: the admin token is not valid (HTTP 401)');
    expect(error).toContain('8 characters entered');
    expect(error).not.toContain('sp_wrong');
    expect(element.querySelector('#admin-token')?.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('error-summary');
    expect(TestBed.inject(AdminSession).signedIn()).toBe(false);
    expect(storage.length).toBe(0);
  });

  it('asks for a token when the field is empty, without calling the API', async () => {
    const element = await signInWith('   ');
    expect(element.querySelector('#admin-token-error')?.textContent).toContain('is required');
    expect(fake.requests).toEqual([]);
  });

  it('holds sign-in back during the Retry-After wait of a 429', async () => {
    fake.on('GET', /admin\/whoami$/, () =>
      json({ statusCode: 429, error: 'Too Many Requests', message: 'retry later' }, 429, { 'retry-after': '30' }),
    );
    const element = await signInWith('sp_any');
    expect(element.querySelector('#admin-token-error')?.textContent).toContain('(HTTP 429). Wait 30 s.');
    expect(element.querySelector('[data-testid="sign-in"]')?.getAttribute('aria-disabled')).toBe('true');
    // Another submit while blocked does not reach the API.
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(fake.requests).toHaveLength(1);
  });
});
