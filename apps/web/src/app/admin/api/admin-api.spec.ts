import { TestBed } from '@angular/core/testing';
import { adminService, FakeFetch, json, MemoryStorage } from '../../../testing/admin-fixtures';
import { FETCH } from '../../core/api/status-api';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { AdminApi, AdminApiError, parseRetryAfter } from './admin-api';

describe('AdminApi', () => {
  let fake: FakeFetch;
  let session: AdminSession;
  let api: AdminApi;

  beforeEach(() => {
    fake = new FakeFetch();
    TestBed.configureTestingModule({
      providers: [
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    session = TestBed.inject(AdminSession);
    api = TestBed.inject(AdminApi);
    session.signIn('sp_token');
  });

  it('sends the bearer token and JSON, and never caches', async () => {
    fake.on('POST', /\/api\/admin\/services$/, () => json(adminService(), 201));
    await api.createService({ id: 'shop', name: 'Shop', url: 'https://shop.example.com/' });
    const [request] = fake.requests;
    expect(request?.url).toBe('/api/admin/services');
    expect(request?.headers).toMatchObject({ authorization: 'Bearer sp_token', 'content-type': 'application/json' });
    expect(request?.body).toEqual({ id: 'shop', name: 'Shop', url: 'https://shop.example.com/' });
  });

  it("turns the API's error body into an error carrying its field details", async () => {
    const details = [{ path: 'interval', value: '0s', rule: 'must be a duration' }];
    fake.on('POST', /services$/, () =>
      json({ statusCode: 400, error: 'Bad Request', message: 'interval: "0s" must be a duration', details }, 400),
    );
    const error = await api.createService({ id: 'x', name: 'x', url: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).status).toBe(400);
    expect((error as AdminApiError).details).toEqual(details);
    expect(session.signedIn()).toBe(true);
  });

  it('ends the session on a 401, with the reason for the sign-in form', async () => {
    fake.on('GET', /services$/, () =>
      json({ statusCode: 401, error: 'Unauthorized', message: 'the admin token is not valid' }, 401),
    );
    await expect(api.listServices()).rejects.toBeInstanceOf(AdminApiError);
    expect(session.signedIn()).toBe(false);
    expect(session.notice()?.text).toContain('HTTP 401: the admin token is not valid');
  });

  it('records the Retry-After wait of a 429', async () => {
    fake.on('GET', /services$/, () =>
      json({ statusCode: 429, error: 'Too Many Requests', message: 'retry later' }, 429, { 'retry-after': '42' }),
    );
    const before = Date.now();
    const error = (await api.listServices().catch((caught: unknown) => caught)) as AdminApiError;
    expect(error.retryAfterSeconds).toBe(42);
    expect(session.blockedSeconds()).toBe(42);
    expect(session.blockedUntil()! - before).toBeGreaterThanOrEqual(42_000);
  });

  it('reports an unreachable API as status 0, and checks a candidate token without keeping it', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        { provide: FETCH, useValue: () => Promise.reject(new TypeError('Failed to fetch')) },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    const error = (await TestBed.inject(AdminApi)
      .verify('sp_candidate')
      .catch((caught: unknown) => caught)) as AdminApiError;
    expect(error.status).toBe(0);
    expect(TestBed.inject(AdminSession).signedIn()).toBe(false);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('30')).toBe(30);
    expect(
      parseRetryAfter(new Date(Date.parse('2026-01-01T00:01:00Z')).toUTCString(), Date.parse('2026-01-01T00:00:00Z')),
    ).toBe(60);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
