import { EMPTY, Observable, catchError, distinctUntilChanged, expand, map, of, switchMap, timer } from 'rxjs';

export type PollEvent<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown; readonly failures: number; readonly retryInMs: number };

export interface PollOptions<T> {
  /** One attempt; it errors on failure and is cancelled (switchMap) when the tab hides. */
  readonly request: () => Observable<T>;
  readonly intervalMs: number;
  /** Delay after the n-th consecutive failure. */
  readonly backoff: (failures: number) => number;
  /** Page visibility: polling pauses while false and fetches immediately when it turns true again. */
  readonly visible$: Observable<boolean>;
}

/**
 * Polls with `timer` + `switchMap`: fetch now, then wait `intervalMs` after a success or `backoff(n)` after the n-th
 * failure in a row. Failures are emitted as events, never as errors, so the stream outlives an API outage.
 */
export function poll<T>(options: PollOptions<T>): Observable<PollEvent<T>> {
  const run = (): Observable<PollEvent<T>> => {
    let failures = 0;
    const attempt = (): Observable<PollEvent<T>> =>
      options.request().pipe(
        map((value): PollEvent<T> => {
          failures = 0;
          return { ok: true, value };
        }),
        catchError((error: unknown) => {
          failures += 1;
          return of<PollEvent<T>>({ ok: false, error, failures, retryInMs: options.backoff(failures) });
        }),
      );
    return attempt().pipe(
      expand((event) => timer(event.ok ? options.intervalMs : event.retryInMs).pipe(switchMap(attempt))),
    );
  };
  return options.visible$.pipe(
    distinctUntilChanged(),
    switchMap((visible) => (visible ? run() : EMPTY)),
  );
}
