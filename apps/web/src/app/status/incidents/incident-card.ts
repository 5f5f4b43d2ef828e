import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { IncidentSummary } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { DurationView, TimeView } from '../../shared/time';
import { impactLabel, incidentStatusLabel } from './incident-view';

/** One incident with its update timeline, newest update first. */
@Component({
  selector: 'app-incident-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-impact]': 'incident().impact' },
  imports: [AppLink, TimeView, DurationView],
  template: `
    <h3 class="title">
      @if (linked()) {
        <a [appLink]="{ kind: 'incident', id: incident().id }">{{ incident().title }}</a>
      } @else {
        {{ incident().title }}
      }
    </h3>
    <p class="meta">
      <span class="impact">{{ impact() }}</span>
      <span aria-hidden="true"> · </span>
      <span>{{ affected() }}</span>
      <span aria-hidden="true"> · </span>
      @if (incident().resolvedAt; as resolvedAt) {
        <span>Lasted <app-duration [from]="incident().startedAt" [to]="resolvedAt" /></span>
      } @else {
        <span data-testid="running">Ongoing for <app-duration [from]="incident().startedAt" /></span>
      }
    </p>
    <ol class="timeline">
      @for (update of updates(); track $index) {
        <li>
          <span class="status">{{ update.status }}</span>
          <span class="message">{{ update.message }}</span>
          <app-time class="time" [at]="update.iso" />
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
  /** The title links to the incident's page (off for the console's preview of an incident not yet posted). */
  readonly linked = input(true);

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
      }));
  });
}
