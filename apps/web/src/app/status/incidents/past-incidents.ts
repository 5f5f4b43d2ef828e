import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { IncidentSummary } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { formatDay } from '../../shared/format';
import { TimeView } from '../../shared/time';
import { impactLabel, pastIncidentDays } from './incident-view';

@Component({
  selector: 'app-past-incidents',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, TimeView],
  template: `
    @if (quiet()) {
      <p class="none quiet">No incidents reported in the last 14 days.</p>
    } @else {
      @for (day of days(); track day.date) {
        <div class="day">
          <h3 class="date">{{ day.label }}</h3>
          @for (incident of day.incidents; track incident.id) {
            <div class="incident" [attr.data-impact]="incident.impact">
              <p class="title">
                <a [appLink]="{ kind: 'incident', id: incident.id }">{{ incident.title }}</a>
              </p>
              <p class="meta">
                {{ incident.impactText }} · <app-time [at]="incident.startedAt" /> –
                @if (incident.resolvedAt; as resolvedAt) {
                  <app-time [at]="resolvedAt" />
                } @else {
                  ongoing
                }
              </p>
            </div>
          } @empty {
            <p class="none">No incidents reported.</p>
          }
        </div>
      }
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .day {
      padding: 0.75rem 0;
      border-bottom: 1px solid var(--border);
    }
    .day:last-child {
      border-bottom: 0;
    }
    .date {
      margin: 0 0 0.25rem;
      font-size: 0.9375rem;
    }
    .none,
    .meta {
      margin: 0;
      color: var(--muted);
      font-size: 0.8125rem;
    }
    .incident {
      padding: 0.25rem 0 0.25rem 0.75rem;
      border-left: 3px solid var(--minor-strong);
      margin-top: 0.375rem;
    }
    .incident[data-impact='major'] {
      border-left-color: var(--major-strong);
    }
    .incident[data-impact='critical'] {
      border-left-color: var(--critical-strong);
    }
    .quiet {
      padding: 0.75rem 0;
      font-size: 0.875rem;
    }
    .title {
      margin: 0;
      font-weight: 600;
      font-size: 0.875rem;
    }
    .title a {
      color: var(--text);
    }
  `,
})
export class PastIncidents {
  readonly incidents = input.required<readonly IncidentSummary[]>();
  readonly now = input.required<number>();

  /** Fourteen "No incidents reported" rows say less than one sentence. */
  protected readonly quiet = computed(() => this.days().every((day) => day.incidents.length === 0));
  protected readonly days = computed(() =>
    pastIncidentDays(this.incidents(), this.now()).map((day) => ({
      date: day.date,
      label: formatDay(day.date),
      incidents: day.incidents.map((incident) => ({
        id: incident.id,
        title: incident.title,
        impact: incident.impact,
        impactText: impactLabel(incident.impact),
        startedAt: incident.startedAt,
        resolvedAt: incident.resolvedAt,
      })),
    })),
  );
}
