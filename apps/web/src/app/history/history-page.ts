import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import type { IncidentPage, StatuspageScheduledMaintenance } from '@app/contracts';
import { catchError, combineLatest, firstValueFrom, from, of, switchMap } from 'rxjs';
import { StatusApi } from '../core/api/status-api';
import { Branding } from '../core/branding/branding';
import { APP_CONFIG } from '../core/config/app-config';
import { AppLink } from '../core/navigation/app-link';
import { monthKey } from '../shared/format';
import { DurationView, TimeView } from '../shared/time';
import { impactLabel } from '../status/incidents/incident-view';
import { historyMonths, incidentEntry, maintenanceEntry, type HistoryEntry } from './history-view';

export const HISTORY_PAGE_SIZE = 20;

interface Loaded {
  page: IncidentPage;
  /** Start of the newest entry of the previous page (page 1: now): this page covers what is older. */
  newerThan: number | null;
  windows: StatuspageScheduledMaintenance[];
}

/**
 * /history?page=N — every incident (last 90 days) and maintenance window, newest first, grouped by month, 20
 * incidents a page; links to each incident's page; the Atom feed for readers.
 */
@Component({
  selector: 'app-history-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, TimeView, DurationView],
  template: `
    <nav class="crumbs" aria-label="Breadcrumb"><a [appLink]="{ kind: 'status' }">← Current status</a></nav>
    <header class="head">
      <h1>Incident history</h1>
      <a class="feed" [href]="feedUrl" type="application/atom+xml">Subscribe with a feed reader (Atom)</a>
    </header>
    @if (failed()) {
      <p class="stale" role="alert">The incident history can't be loaded right now. Please try again later.</p>
    } @else if (months(); as months) {
      @for (month of months; track month.key) {
        <section class="month card" [attr.aria-labelledby]="'m-' + month.key" data-testid="history-month">
          <h2 [id]="'m-' + month.key">{{ month.label }}</h2>
          @for (entry of month.entries; track entry.kind + entry.id) {
            <div class="entry" [attr.data-impact]="entry.impact">
              <p class="title">
                @if (entry.kind === 'incident') {
                  <a [appLink]="{ kind: 'incident', id: entry.id }">{{ entry.title }}</a>
                } @else {
                  <a [appLink]="{ kind: 'maintenance', id: entry.id }">{{ entry.title }}</a>
                }
              </p>
              <p class="meta">
                {{ label(entry) }} ·
                <app-time [at]="entry.startedAt" />
                @if (entry.endedAt; as ended) {
                  – <app-time [at]="ended" /> · <app-duration [from]="entry.startedAt" [to]="ended" />
                } @else {
                  · ongoing for <app-duration [from]="entry.startedAt" />
                }
              </p>
            </div>
          } @empty {
            <p class="none">No incidents reported.</p>
          }
        </section>
      } @empty {
        <p class="card none quiet">No incidents reported in the last 90 days.</p>
      }
      <nav class="pager" aria-label="History pages">
        @if (page() > 1) {
          <a [appLink]="{ kind: 'history', page: page() - 1 }" rel="prev">← Newer</a>
        }
        @if (hasOlder()) {
          <a [appLink]="{ kind: 'history', page: page() + 1 }" rel="next">Older →</a>
        }
      </nav>
    } @else {
      <p class="loading">Loading the history…</p>
    }
  `,
  styleUrl: './history-page.css',
})
export class HistoryPage {
  readonly page = input.required<number>();
  private readonly api = inject(StatusApi);
  protected readonly feedUrl = `${inject(APP_CONFIG).apiBaseUrl}/incidents/feed.atom`;

  private readonly loaded = signal<Loaded | null>(null);
  protected readonly failed = signal(false);
  protected readonly hasOlder = computed(() => this.loaded()?.page.nextCursor != null);
  protected readonly months = computed(() => {
    const loaded = this.loaded();
    if (loaded === null) return null;
    const incidents = loaded.page.items.map(incidentEntry);
    const oldestIncident = incidents.at(-1);
    const lastPage = loaded.page.nextCursor === null;
    // Windows belong to the page whose incidents' span they fall in; the last page takes everything older.
    const windows = loaded.windows.map(maintenanceEntry).filter((entry) => {
      const at = Date.parse(entry.startedAt);
      if (at > Date.now()) return false; // upcoming windows are on the status page
      if (loaded.newerThan !== null && at >= loaded.newerThan) return false;
      return lastPage || oldestIncident === undefined || at >= Date.parse(oldestIncident.startedAt);
    });
    const entries = [...incidents, ...windows];
    const from =
      loaded.newerThan === null
        ? monthKey(new Date().toISOString())
        : monthKey(new Date(loaded.newerThan).toISOString());
    return historyMonths(entries, entries.length === 0 && loaded.newerThan !== null ? null : from);
  });

  constructor() {
    const branding = inject(Branding);
    effect(() => branding.setTitle(this.page() === 1 ? 'Incident history' : `Incident history, page ${this.page()}`));
    toObservable(this.page)
      .pipe(
        switchMap((page) => {
          this.loaded.set(null);
          this.failed.set(false);
          return combineLatest([
            from(this.loadPage(page)),
            this.api.maintenances().pipe(catchError(() => of<StatuspageScheduledMaintenance[]>([]))),
          ]);
        }),
        takeUntilDestroyed(),
      )
      .subscribe({
        next: ([{ page, newerThan }, windows]) => this.loaded.set({ page, newerThan, windows }),
        error: () => this.failed.set(true),
      });
  }

  protected label(entry: HistoryEntry): string {
    return entry.impact === 'maintenance' ? 'Maintenance' : impactLabel(entry.impact);
  }

  /** Follows the cursor to page N (the incident history is in the API's memory: a few small requests). */
  private async loadPage(page: number): Promise<{ page: IncidentPage; newerThan: number | null }> {
    let cursor: string | null = null;
    let newerThan: number | null = null;
    for (let index = 1; ; index += 1) {
      const current: IncidentPage = await firstValueFrom(this.api.incidentPage(HISTORY_PAGE_SIZE, cursor));
      if (index >= page || current.nextCursor === null) return { page: current, newerThan };
      const last = current.items.at(-1);
      newerThan = last === undefined ? newerThan : Date.parse(last.startedAt);
      cursor = current.nextCursor;
    }
  }
}
