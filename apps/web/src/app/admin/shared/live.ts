import { inject, InjectionToken, signal, type Signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { catchError, map, Observable, of, startWith, Subject, switchMap } from 'rxjs';
import { APP_CONFIG } from '../../core/config/app-config';
import { backoffDelay } from '../../core/polling/backoff';
import { PageVisibility } from '../../core/polling/page-visibility';
import { poll, type PollEvent } from '../../core/polling/poll';
import { AdminApiError } from '../api/admin-api';

/**
 * How often console views refresh: the page's poll interval, but at least every 5 s — an admin who just created a
 * service or posted an update is waiting for the result, unlike a visitor of the public page.
 */
export const ADMIN_POLL_MS = new InjectionToken<number>('ADMIN_POLL_MS', {
  providedIn: 'root',
  factory: () => Math.min(inject(APP_CONFIG).pollIntervalMs, 5_000),
});

export interface LiveResource<T> {
  /** Last good value; kept through failures so the view never goes blank. */
  readonly value: Signal<T | null>;
  /** Error of the last attempt, null after a success. */
  readonly error: Signal<AdminApiError | null>;
  /** Fetch now (after a change), then keep the rhythm. */
  refresh(): void;
}

function fromAbortable<T>(load: (signal: AbortSignal) => Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const abort = new AbortController();
    load(abort.signal).then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        if (!abort.signal.aborted) subscriber.error(error);
      },
    );
    return () => abort.abort();
  });
}

/**
 * A value loaded now and re-loaded every ADMIN_POLL_MS while the tab is visible (`once: true` loads it once per
 * refresh), for as long as the calling component lives. `manual: true` waits for the first refresh() (e.g. until
 * an input it reads is set). Call in an injection context.
 */
export function liveResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { once?: boolean; manual?: boolean } = {},
) {
  const intervalMs = inject(ADMIN_POLL_MS);
  const maxBackoffMs = inject(APP_CONFIG).maxBackoffMs;
  const visible$ = inject(PageVisibility).visible$;
  const value = signal<T | null>(null);
  const error = signal<AdminApiError | null>(null);
  const refresh$ = new Subject<void>();

  (options.manual ? refresh$ : refresh$.pipe(startWith(undefined)))
    .pipe(
      switchMap(() =>
        options.once
          ? fromAbortable(load).pipe(
              map((loaded): PollEvent<T> => ({ ok: true, value: loaded })),
              catchError((failure: unknown) =>
                of<PollEvent<T>>({ ok: false, error: failure, failures: 1, retryInMs: 0 }),
              ),
            )
          : poll<T>({
              request: () => fromAbortable(load),
              intervalMs,
              backoff: (failures) => backoffDelay(failures, intervalMs, maxBackoffMs),
              visible$,
            }),
      ),
      takeUntilDestroyed(),
    )
    .subscribe((event) => {
      if (event.ok) {
        value.set(event.value);
        error.set(null);
      } else {
        error.set(
          event.error instanceof AdminApiError
            ? event.error
            : new AdminApiError(0, null, null, event.error instanceof Error ? event.error.message : 'request failed'),
        );
      }
    });

  const resource: LiveResource<T> = {
    value: value.asReadonly(),
    error: error.asReadonly(),
    refresh: () => refresh$.next(),
  };
  return resource;
}
