import { inject, signal, type Signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { type Observable, switchMap, tap } from 'rxjs';
import { type Conditional, HttpError } from '../api/status-api';
import { APP_CONFIG } from '../config/app-config';
import { backoffDelay } from './backoff';
import { PageVisibility } from './page-visibility';
import { poll } from './poll';

/** What a page polling one resource by id shows: the last body, whether it 404s, whether polling is failing. */
export interface PolledById<T> {
  readonly value: Signal<T | null>;
  readonly notFound: Signal<boolean>;
  readonly failed: Signal<boolean>;
}

/**
 * Polls `request(id, etag)` for the current `id` while the tab is visible, with the configured interval and backoff.
 * Each request revalidates with the last ETag: an unchanged resource costs a 304, and the view stays as it is. A new
 * id starts over (nothing shown, not "not found"); a 404 marks it not found; any other failure marks polling failed
 * until the next success. Call it in an injection context (a field initializer or constructor); it stops on destroy.
 */
export function pollById<T>(
  id: Signal<string>,
  request: (id: string, etag: string | null) => Observable<Conditional<T>>,
): PolledById<T> {
  const config = inject(APP_CONFIG);
  const visibility = inject(PageVisibility);
  const value = signal<T | null>(null);
  const notFound = signal(false);
  const failed = signal(false);
  toObservable(id)
    .pipe(
      switchMap((current) => {
        value.set(null);
        notFound.set(false);
        let etag: string | null = null;
        return poll({
          request: () =>
            request(current, etag).pipe(
              tap((result) => {
                if (result.kind === 'fresh') etag = result.etag;
              }),
            ),
          intervalMs: config.pollIntervalMs,
          backoff: (failures) => backoffDelay(failures, config.pollIntervalMs, config.maxBackoffMs),
          visible$: visibility.visible$,
        });
      }),
      takeUntilDestroyed(),
    )
    .subscribe((event) => {
      if (event.ok) {
        failed.set(false);
        if (event.value.kind === 'fresh') value.set(event.value.body);
      } else if (event.error instanceof HttpError && event.error.status === 404) {
        notFound.set(true);
      } else {
        failed.set(true);
      }
    });
  return { value: value.asReadonly(), notFound: notFound.asReadonly(), failed: failed.asReadonly() };
}
