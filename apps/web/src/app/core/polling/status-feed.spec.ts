import { TestBed } from '@angular/core/testing';
import type { HistoryResponse, StatusResponse } from '@app/contracts';
import { BehaviorSubject, NEVER, Observable, of, throwError } from 'rxjs';
import { incident, service, statusResponse } from '../../../testing/fixtures';
import { Conditional, IncidentPage, StatusApi } from '../api/status-api';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PageVisibility } from './page-visibility';
import { mergeIncidents, StatusFeed } from './status-feed';

const INTERVAL = 1_000;
const config: AppConfig = {
  apiBaseUrl: '/api',
  pollIntervalMs: INTERVAL,
  historyIntervalMs: 60_000,
  maxBackoffMs: 8_000,
};

type StatusAnswer = () => Observable<Conditional<StatusResponse>>;
const fresh =
  (body: StatusResponse, etag = '"v1"'): StatusAnswer =>
  () =>
    of({ kind: 'fresh', body, etag });
const notModified: StatusAnswer = () => of({ kind: 'not-modified' });
const unreachable: StatusAnswer = () => throwError(() => new TypeError('Failed to fetch'));

/** Same port as the real StatusApi; answers /status from a script and records what was asked. */
class FakeStatusApi {
  readonly statusEtags: (string | null)[] = [];
  readonly answers: StatusAnswer[] = [];
  historyCalls = 0;
  incidentCalls = 0;
  incidentsAnswer: IncidentPage | null = null;

  status(etag: string | null): Observable<Conditional<StatusResponse>> {
    this.statusEtags.push(etag);
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    return next ? next() : NEVER;
  }

  history(): Observable<Conditional<HistoryResponse>> {
    this.historyCalls += 1;
    return of({ kind: 'fresh', body: { generatedAt: '', days: [], services: {} }, etag: null });
  }

  incidents(): Observable<IncidentPage | null> {
    this.incidentCalls += 1;
    return of(this.incidentsAnswer);
  }
}

describe('StatusFeed', () => {
  let api: FakeStatusApi;
  let visible: BehaviorSubject<boolean>;
  let feed: StatusFeed;

  beforeEach(() => {
    vi.useFakeTimers();
    api = new FakeStatusApi();
    visible = new BehaviorSubject(true);
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: StatusApi, useValue: api },
        { provide: PageVisibility, useValue: { visible$: visible.asObservable() } },
      ],
    });
    feed = TestBed.inject(StatusFeed);
  });

  afterEach(() => {
    feed.disconnect();
    vi.useRealTimers();
  });

  it('fetches immediately, then once per poll interval', () => {
    api.answers.push(fresh(statusResponse()));
    feed.connect();
    expect(api.statusEtags).toHaveLength(1);
    vi.advanceTimersByTime(INTERVAL * 3);
    expect(api.statusEtags).toHaveLength(4);
  });

  it('revalidates with If-None-Match and keeps the current view on 304', () => {
    const first = statusResponse({ services: [service({ state: 'degraded' })] });
    api.answers.push(fresh(first, '"abc"'), notModified);
    feed.connect();
    const updatedAt = feed.lastUpdatedAt();

    vi.advanceTimersByTime(INTERVAL);

    expect(api.statusEtags).toEqual([null, '"abc"']);
    expect(feed.status()).toBe(first);
    expect(feed.stale()).toBe(false);
    expect(feed.lastUpdatedAt()).toBe(updatedAt! + INTERVAL);
  });

  it('keeps the last data and turns stale when the API cannot be reached', () => {
    const last = statusResponse();
    api.answers.push(fresh(last), unreachable);
    feed.connect();
    expect(feed.stale()).toBe(false);

    vi.advanceTimersByTime(INTERVAL);

    expect(feed.stale()).toBe(true);
    expect(feed.status()).toBe(last);
    expect(feed.lastError()).toBe('Failed to fetch');
  });

  it('backs off exponentially while the API stays down and recovers on the next success', () => {
    api.answers.push(fresh(statusResponse()), unreachable, unreachable, unreachable, fresh(statusResponse(), '"v2"'));
    feed.connect();
    vi.advanceTimersByTime(INTERVAL); // 1st failure
    expect(feed.failures()).toBe(1);
    const retryIn = feed.nextRetryInMs()!;
    expect(retryIn).toBeGreaterThanOrEqual(INTERVAL * 0.8);

    vi.advanceTimersByTime(retryIn); // 2nd failure
    expect(feed.failures()).toBe(2);
    const second = feed.nextRetryInMs()!;
    expect(second).toBeGreaterThanOrEqual(INTERVAL * 2 * 0.8);

    const callsBefore = api.statusEtags.length;
    vi.advanceTimersByTime(INTERVAL); // too early for the backed-off retry
    expect(api.statusEtags.length).toBe(callsBefore);

    vi.advanceTimersByTime(second); // 3rd failure
    vi.advanceTimersByTime(feed.nextRetryInMs()!); // success
    expect(feed.failures()).toBe(0);
    expect(feed.stale()).toBe(false);
  });

  it('pauses while the tab is hidden and refreshes as soon as it is visible again', () => {
    api.answers.push(fresh(statusResponse()));
    feed.connect();
    expect(api.statusEtags).toHaveLength(1);

    visible.next(false);
    vi.advanceTimersByTime(INTERVAL * 10);
    expect(api.statusEtags).toHaveLength(1);

    visible.next(true);
    expect(api.statusEtags).toHaveLength(2);
  });

  it('refreshes the history when a service changes state', () => {
    api.answers.push(
      fresh(statusResponse(), '"1"'),
      fresh(statusResponse({ services: [service({ state: 'down' })] }), '"2"'),
    );
    feed.connect();
    expect(api.historyCalls).toBe(1);

    vi.advanceTimersByTime(INTERVAL + 1_000);

    expect(api.historyCalls).toBe(2);
  });

  it('polls past incidents with the history and stops asking an API that has no incidents endpoint', () => {
    api.answers.push(fresh(statusResponse()));
    api.incidentsAnswer = { items: [], nextCursor: null };
    feed.connect();
    expect(feed.incidents()).toEqual([]);
    vi.advanceTimersByTime(config.historyIntervalMs);
    expect(api.incidentCalls).toBe(2);

    api.incidentsAnswer = null; // 404
    vi.advanceTimersByTime(config.historyIntervalMs);
    expect(feed.incidents()).toBeNull();
    vi.advanceTimersByTime(config.historyIntervalMs * 3);
    expect(api.incidentCalls).toBe(3);
  });
});

describe('mergeIncidents', () => {
  it('lists each incident once, preferring the copy from /api/status', () => {
    const open = incident({ id: 'a', status: 'identified' });
    const merged = mergeIncidents([open], [incident({ id: 'a', status: 'investigating' }), incident({ id: 'b' })]);
    expect(merged.map((i) => [i.id, i.status])).toEqual([
      ['a', 'identified'],
      ['b', 'investigating'],
    ]);
  });
});
