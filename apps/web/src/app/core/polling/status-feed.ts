import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { HistoryResponse, IncidentSummary, StatusResponse } from '@app/contracts';
import { Observable, Subject, Subscription, debounceTime, startWith, switchMap, takeWhile, timeout } from 'rxjs';
import { APP_CONFIG } from '../config/app-config';
import { Conditional, StatusApi } from '../api/status-api';
import { backoffDelay } from './backoff';
import { poll, PollEvent } from './poll';
import { PageVisibility } from './page-visibility';

const REQUEST_TIMEOUT_MS = 10_000;
const PAST_INCIDENT_LIMIT = 50;

/** A conditional resource: the last body we accepted and the validator to revalidate it with. */
interface Cached<T> {
  body: T | null;
  etag: string | null;
}

/** Identity of what the page shows; history is refetched when it changes rather than waiting 5 minutes. */
function stateSignature(status: StatusResponse): string {
  const services = status.services.map((service) => `${service.id}=${service.state}`).join(',');
  const incidents = status.activeIncidents.map((incident) => `${incident.id}=${incident.status}`).join(',');
  return `${status.overall}|${services}|${incidents}`;
}

/**
 * Live data for the dashboard. Keeps the last good answer through any failure: errors only raise `stale`, so the
 * page never goes blank during an outage. Signals are the only thing components read.
 */
@Injectable({ providedIn: 'root' })
export class StatusFeed {
  private readonly api = inject(StatusApi);
  private readonly config = inject(APP_CONFIG);
  private readonly visibility = inject(PageVisibility);

  private readonly statusCache: Cached<StatusResponse> = { body: null, etag: null };
  private readonly historyCache: Cached<HistoryResponse> = { body: null, etag: null };
  private readonly stateChanged = new Subject<void>();
  private subscription: Subscription | null = null;

  readonly status = signal<StatusResponse | null>(null);
  readonly history = signal<HistoryResponse | null>(null);
  /** Recent incidents (any status); `null` while unknown or when the API has no incidents endpoint. */
  readonly incidents = signal<IncidentSummary[] | null>(null);
  /** Epoch ms of the last answer (200 or 304) from /api/status. */
  readonly lastUpdatedAt = signal<number | null>(null);
  /** Consecutive failed polls of /api/status. */
  readonly failures = signal(0);
  readonly lastError = signal<string | null>(null);
  readonly nextRetryInMs = signal<number | null>(null);
  readonly stale = computed(() => this.failures() > 0);
  /**
   * Active incidents (from /api/status, the freshest copy) plus recent ones from /api/incidents, each once: the
   * incidents list also contains the open ones.
   */
  readonly knownIncidents = computed(() =>
    mergeIncidents(this.status()?.activeIncidents ?? [], this.incidents() ?? []),
  );

  constructor() {
    inject(DestroyRef).onDestroy(() => this.disconnect());
  }

  /** Starts polling (idempotent). */
  connect(): void {
    if (this.subscription !== null) return;
    const { pollIntervalMs, historyIntervalMs, maxBackoffMs } = this.config;
    const subscription = new Subscription();
    this.subscription = subscription;

    subscription.add(
      this.pollResource(() => this.api.status(this.statusCache.etag), pollIntervalMs, maxBackoffMs).subscribe((event) =>
        this.onStatus(event),
      ),
    );

    // History and past incidents change slowly: refresh them on their own (longer) interval, and right away
    // whenever a service or incident changes state so the bars and timeline never contradict the banner.
    const refresh$ = this.stateChanged.pipe(debounceTime(1_000), startWith(undefined));
    subscription.add(
      refresh$
        .pipe(
          switchMap(() =>
            this.pollResource(() => this.api.history(this.historyCache.etag), historyIntervalMs, maxBackoffMs),
          ),
        )
        .subscribe((event) => {
          if (event.ok && event.value.kind === 'fresh') {
            this.historyCache.body = event.value.body;
            this.historyCache.etag = event.value.etag;
            this.history.set(event.value.body);
          }
        }),
    );
    subscription.add(
      refresh$
        .pipe(
          switchMap(() =>
            this.pollResource(() => this.api.incidents(PAST_INCIDENT_LIMIT), historyIntervalMs, maxBackoffMs).pipe(
              // An API without the incidents endpoint (404 → null) is not asked again until the next state change.
              takeWhile((event) => !event.ok || event.value !== null, true),
            ),
          ),
        )
        .subscribe((event) => {
          if (event.ok) this.incidents.set(event.value?.items ?? null);
        }),
    );
  }

  disconnect(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private pollResource<T>(request: () => Observable<T>, intervalMs: number, maxBackoffMs: number) {
    return poll<T>({
      request: () => request().pipe(timeout({ first: REQUEST_TIMEOUT_MS })),
      intervalMs,
      backoff: (failures) => backoffDelay(failures, Math.min(intervalMs, this.config.pollIntervalMs), maxBackoffMs),
      visible$: this.visibility.visible$,
    });
  }

  private onStatus(event: PollEvent<Conditional<StatusResponse>>): void {
    if (!event.ok) {
      this.failures.set(event.failures);
      this.nextRetryInMs.set(event.retryInMs);
      this.lastError.set(event.error instanceof Error ? event.error.message : 'network error');
      return;
    }
    this.failures.set(0);
    this.nextRetryInMs.set(null);
    this.lastError.set(null);
    this.lastUpdatedAt.set(Date.now());
    const result = event.value;
    // 304: the view is already current; keep it (and its object identity, so nothing re-renders).
    if (result.kind === 'not-modified') return;
    const previous = this.statusCache.body;
    this.statusCache.body = result.body;
    this.statusCache.etag = result.etag;
    this.status.set(result.body);
    if (previous !== null && stateSignature(previous) !== stateSignature(result.body)) this.stateChanged.next();
  }
}

export function mergeIncidents(
  active: readonly IncidentSummary[],
  recent: readonly IncidentSummary[],
): IncidentSummary[] {
  const byId = new Map<string, IncidentSummary>();
  for (const incident of [...recent, ...active]) byId.set(incident.id, incident);
  return [...byId.values()];
}

/** Narrow helper for templates and specs: seconds between two epoch-ms instants, never negative. */
export const secondsBetween = (from: number, to: number): number => Math.max(0, Math.round((to - from) / 1000));
