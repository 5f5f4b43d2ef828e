import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { IncidentSummary } from '@app/contracts';
import { formatTime } from '../../shared/format';
import { impactLabel, incidentStatusLabel } from './incident-view';

/** One incident with its update timeline, newest update first. */
@Component({
  selector: 'app-incident-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-impact]': 'incident().impact' },
  template: `
    <h3 class="title">{{ incident().title }}</h3>
    <p class="meta">
      <span class="impact">{{ impact() }}</span>
      <span aria-hidden="true"> · </span>
      <span>{{ affected() }}</span>
    </p>
    <ol class="timeline">
      @for (update of updates(); track $index) {
        <li>
          <span class="status">{{ update.status }}</span>
          <span class="message">{{ update.message }}</span>
          <time class="time" [attr.datetime]="update.iso">{{ update.time }}</time>
        </li>
      }
    </ol>
  `,
  styleUrl: './incident-card.css',
})
export class IncidentCard {
  readonly incident = input.required<IncidentSummary>();
  /** Service names by id, to say what is affected. */
  readonly serviceNames = input<ReadonlyMap<string, string>>(new Map());

  protected readonly impact = computed(() => impactLabel(this.incident().impact));
  protected readonly affected = computed(() => {
    const names = this.incident().serviceIds.map((id) => this.serviceNames().get(id) ?? id);
    return names.length === 0 ? 'No services affected' : `Affects ${names.join(', ')}`;
  });
  protected readonly updates = computed(() => {
    const incident = this.incident();
    const updates =
      incident.updates.length > 0
        ? incident.updates
        : [{ at: incident.startedAt, status: incident.status, message: 'We are investigating this issue.' }];
    return [...updates]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .map((update) => ({
        status: incidentStatusLabel(update.status),
        message: update.message,
        iso: update.at,
        time: formatTime(update.at),
      }));
  });
}
