import { inject, Injectable, InjectionToken } from '@angular/core';
import type {
  ApiError,
  HistoryResponse,
  IncidentSummary,
  Page,
  ServiceDetailResponse,
  StatuspageScheduledMaintenance,
  StatuspageScheduledMaintenancesResponse,
  StatusResponse,
  SubscribeRequest,
  SubscribeResponse,
} from '@app/contracts';
import { Observable, catchError, map, of, throwError } from 'rxjs';
import { APP_CONFIG } from '../config/app-config';

/** The browser's fetch, injectable so specs can answer requests without a network. */
export const FETCH = new InjectionToken<typeof fetch>('FETCH', {
  providedIn: 'root',
  factory: () => globalThis.fetch.bind(globalThis),
});

/** Result of a conditional GET: a new body, or "304 — what you have is current". */
export type Conditional<T> =
  { readonly kind: 'fresh'; readonly body: T; readonly etag: string | null } | { readonly kind: 'not-modified' };

export type IncidentPage = Page<IncidentSummary>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`GET ${path} answered HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/**
 * Thin client of the public status API. Uses fetch directly (not HttpClient): it keeps the initial bundle small and
 * `cache: 'no-store'` lets our own If-None-Match through so a 304 reaches us instead of being folded into a 200.
 */
@Injectable({ providedIn: 'root' })
export class StatusApi {
  private readonly fetchFn = inject(FETCH);
  private readonly baseUrl = inject(APP_CONFIG).apiBaseUrl;

  status(etag: string | null): Observable<Conditional<StatusResponse>> {
    return this.get<StatusResponse>('/status', etag);
  }

  history(etag: string | null): Observable<Conditional<HistoryResponse>> {
    return this.get<HistoryResponse>('/history', etag);
  }

  service(id: string, etag: string | null = null): Observable<Conditional<ServiceDetailResponse>> {
    return this.get<ServiceDetailResponse>(`/services/${encodeURIComponent(id)}`, etag);
  }

  /** Past incidents; `null` when this API version has no incidents endpoint (404). */
  incidents(limit: number): Observable<IncidentPage | null> {
    return this.get<IncidentPage>(`/incidents?limit=${limit}`, null).pipe(
      map((result) => (result.kind === 'fresh' ? result.body : null)),
      catchError((error: unknown) =>
        error instanceof HttpError && error.status === 404 ? of(null) : throwError(() => error),
      ),
    );
  }

  /** One incident; HttpError 404 when there is none with this id. */
  incident(id: string, etag: string | null = null): Observable<Conditional<IncidentSummary>> {
    return this.get<IncidentSummary>(`/incidents/${encodeURIComponent(id)}`, etag);
  }

  /** A page of the incident history (newest first); pass nextCursor back for the next one. */
  incidentPage(limit: number, cursor: string | null): Observable<IncidentPage> {
    const query = `limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    return this.get<IncidentPage>(`/incidents?${query}`, null).pipe(
      map((result) => (result.kind === 'fresh' ? result.body : { items: [], nextCursor: null })),
    );
  }

  /** Recent and upcoming maintenance windows with their updates (the Statuspage-compatible document). */
  maintenances(): Observable<StatuspageScheduledMaintenance[]> {
    return this.get<StatuspageScheduledMaintenancesResponse>('/v2/scheduled-maintenances.json', null).pipe(
      map((result) => (result.kind === 'fresh' ? result.body.scheduled_maintenances : [])),
    );
  }

  /** POST /subscriptions: the 202 answer, or the API's error body (400 names the field) with its status. */
  async subscribe(
    request: SubscribeRequest,
  ): Promise<{ ok: true; body: SubscribeResponse } | { ok: false; status: number; error: ApiError | null }> {
    try {
      const response = await this.fetchFn(`${this.baseUrl}/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
      });
      const body = (await response.json().catch(() => null)) as unknown;
      if (response.status === 202) return { ok: true, body: body as SubscribeResponse };
      return { ok: false, status: response.status, error: (body as ApiError | null) ?? null };
    } catch {
      return { ok: false, status: 0, error: null };
    }
  }

  private get<T>(path: string, etag: string | null): Observable<Conditional<T>> {
    return new Observable<Conditional<T>>((subscriber) => {
      const abort = new AbortController();
      const headers: Record<string, string> = { accept: 'application/json' };
      if (etag !== null) headers['if-none-match'] = etag;
      this.fetchFn(`${this.baseUrl}${path}`, { headers, cache: 'no-store', signal: abort.signal })
        .then(async (response): Promise<Conditional<T>> => {
          if (response.status === 304) return { kind: 'not-modified' };
          if (!response.ok) throw new HttpError(response.status, path);
          return { kind: 'fresh', body: (await response.json()) as T, etag: response.headers.get('etag') };
        })
        .then(
          (result) => {
            subscriber.next(result);
            subscriber.complete();
          },
          (error: unknown) => {
            if (!abort.signal.aborted) subscriber.error(error);
          },
        );
      // switchMap / unsubscribe cancels the request in flight.
      return () => abort.abort();
    });
  }
}
