import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { statusResponse } from '../../../testing/fixtures';
import { APP_CONFIG, DEFAULT_APP_CONFIG } from '../config/app-config';
import { FETCH, HttpError, StatusApi } from './status-api';

describe('StatusApi', () => {
  let calls: { url: string; init: RequestInit | undefined }[];
  let answer: () => Response;

  beforeEach(() => {
    calls = [];
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: { ...DEFAULT_APP_CONFIG, apiBaseUrl: 'https://status.example.com/api' } },
        {
          provide: FETCH,
          useValue: (url: string, init?: RequestInit) => {
            calls.push({ url, init });
            return Promise.resolve(answer());
          },
        },
      ],
    });
  });

  it('sends the cached ETag as If-None-Match and reports a 304 as not modified', async () => {
    answer = () => new Response(null, { status: 304 });
    const result = await firstValueFrom(TestBed.inject(StatusApi).status('"v7"'));
    expect(result).toEqual({ kind: 'not-modified' });
    expect(calls[0]?.url).toBe('https://status.example.com/api/status');
    expect((calls[0]?.init?.headers as Record<string, string>)['if-none-match']).toBe('"v7"');
    expect(calls[0]?.init?.cache).toBe('no-store');
  });

  it('returns the body and the new ETag on 200', async () => {
    const body = statusResponse();
    answer = () => new Response(JSON.stringify(body), { status: 200, headers: { etag: '"v8"' } });
    const result = await firstValueFrom(TestBed.inject(StatusApi).status(null));
    expect(result).toEqual({ kind: 'fresh', body, etag: '"v8"' });
  });

  it('fails with the HTTP status on a 5xx', async () => {
    answer = () => new Response('{}', { status: 503 });
    await expect(firstValueFrom(TestBed.inject(StatusApi).history(null))).rejects.toEqual(
      new HttpError(503, '/history'),
    );
  });

  it('treats a missing incidents endpoint (404) as "no incident history"', async () => {
    answer = () => new Response('{}', { status: 404 });
    await expect(firstValueFrom(TestBed.inject(StatusApi).incidents(20))).resolves.toBeNull();
  });
});
