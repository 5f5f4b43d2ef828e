import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import type { IncidentSummary } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { formatTime } from '../../shared/format';
import { impactLabel, incidentStatusLabel } from '../../status/incidents/incident-view';
import { AdminApi } from '../api/admin-api';
import { adminRoute } from '../admin-route';
import { describeError } from '../shared/describe-error';
import { liveResource } from '../shared/live';
import { IncidentEdits } from './incident-edits';

const PAGE = 50;

export interface IncidentItem {
  readonly incident: IncidentSummary;
  readonly route: ReturnType<typeof adminRoute>;
  readonly status: string;
  readonly impact: string;
  readonly kind: string;
  readonly when: string;
  readonly affected: string;
}

/** One incident in a list: title (link), impact, status, kind, when, what it affects. */
@Component({
  selector: 'li[app-incident-row]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink],
  host: {
    class: 'incident-item',
    '[attr.data-incident-id]': 'item().incident.id',
    '[attr.data-status]': 'item().incident.status',
    '[attr.data-impact]': 'item().incident.impact',
  },
  template: `
    <a class="title" [appLink]="item().route">{{ item().incident.title }}</a>
    <p class="meta">
      <span class="tag" [attr.data-impact]="item().incident.impact">{{ item().impact }}</span>
      <span class="tag">{{ item().status }}</span>
      <span class="tag">{{ item().kind }}</span>
    </p>
    <p class="meta">{{ item().when }} · {{ item().affected }}</p>
  `,
  styles: `
    :host {
      display: block;
      padding: 0.75rem 1rem;
      border: 1px solid var(--border);
      border-left: 4px solid var(--minor-strong);
      border-radius: var(--radius);
      background: var(--surface);
    }
    :host([data-impact='major']) {
      border-left-color: var(--major-strong);
    }
    :host([data-impact='critical']) {
      border-left-color: var(--critical-strong);
    }
    :host([data-impact='none']),
    :host([data-status='resolved']) {
      border-left-color: var(--border);
    }
    .title {
      font-weight: 600;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      gap: 0.375rem;
      margin: 0.375rem 0 0;
      color: var(--muted);
      font-size: 0.8125rem;
    }
  `,
})
export class IncidentRow {
  readonly item = input.required<IncidentItem>();
}

/** Open incidents (live) and recent ones (paged with the API's cursor), newest first. */
@Component({
  selector: 'app-incidents-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, IncidentRow],
  templateUrl: './incidents-page.html',
  styleUrl: './incidents-page.css',
})
export class IncidentsPage {
  private readonly api = inject(AdminApi);
  private readonly edits = inject(IncidentEdits);

  private readonly status = liveResource((signal) => this.api.status(signal));
  private readonly firstPage = liveResource((signal) => this.api.incidents(PAGE, null, signal));
  private readonly older = signal<IncidentSummary[]>([]);
  private readonly cursor = signal<string | null | undefined>(undefined);
  protected readonly loadingMore = signal(false);
  protected readonly moreError = signal<string | null>(null);

  protected readonly newRoute = adminRoute({ kind: 'incident-new' });
  protected readonly loaded = computed(() => this.firstPage.value() !== null || this.status.value() !== null);
  protected readonly error = computed(() => this.firstPage.error() ?? this.status.error());
  protected readonly nextCursor = computed(() => {
    const cursor = this.cursor();
    return cursor === undefined ? (this.firstPage.value()?.nextCursor ?? null) : cursor;
  });

  private readonly all = computed(() => {
    const byId = new Map<string, IncidentSummary>();
    for (const incident of [...this.older(), ...(this.firstPage.value()?.items ?? [])]) byId.set(incident.id, incident);
    // The snapshot's active incidents are the freshest copy of the open ones.
    for (const incident of this.status.value()?.activeIncidents ?? []) byId.set(incident.id, incident);
    return this.edits.apply([...byId.values()]).sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  });
  private readonly names = computed(
    () => new Map((this.status.value()?.services ?? []).map((service) => [service.id, service.name])),
  );
  protected readonly open = computed(() =>
    this.all()
      .filter((incident) => incident.status !== 'resolved')
      .map((incident) => this.item(incident)),
  );
  protected readonly resolved = computed(() =>
    this.all()
      .filter((incident) => incident.status === 'resolved')
      .map((incident) => this.item(incident)),
  );

  protected async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loadingMore()) return;
    this.loadingMore.set(true);
    this.moreError.set(null);
    try {
      const page = await this.api.incidents(PAGE, cursor);
      this.older.update((older) => [...older, ...page.items]);
      this.cursor.set(page.nextCursor);
    } catch (error) {
      this.moreError.set(describeError(error));
    } finally {
      this.loadingMore.set(false);
    }
  }

  private item(incident: IncidentSummary): IncidentItem {
    const affected = incident.serviceIds.map((id) => this.names().get(id) ?? id);
    return {
      incident,
      route: adminRoute({ kind: 'incident', id: incident.id }),
      status: incidentStatusLabel(incident.status),
      impact: impactLabel(incident.impact),
      kind: incident.kind === 'auto' ? 'Automatic' : 'Manual',
      when:
        incident.resolvedAt === null
          ? `Started ${formatTime(incident.startedAt)}`
          : `${formatTime(incident.startedAt)} – ${formatTime(incident.resolvedAt)}`,
      affected: affected.length === 0 ? 'No services' : affected.join(', '),
    };
  }
}
