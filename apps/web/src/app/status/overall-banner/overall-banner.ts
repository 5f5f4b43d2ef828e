import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { IncidentSummary, OverallStatus, ServiceStatus } from '@app/contracts';
import { StateIcon } from '../../shared/state-icon';
import { overallIcon, overallTitle, resolveOverallStatus } from './overall-status';

/** The headline: one sentence, an icon and a colour, all three saying the same thing. */
@Component({
  selector: 'app-overall-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateIcon],
  // Polite live region: a screen-reader user hears the headline change (e.g. to "Partial outage") without a reload.
  host: { '[attr.data-overall]': 'overall() ?? "loading"', 'aria-live': 'polite' },
  template: `
    @if (overall(); as status) {
      <app-state-icon class="icon" [kind]="icon()" />
      <h1 class="title">{{ title() }}</h1>
    } @else {
      <span class="icon placeholder" aria-hidden="true"></span>
      <h1 class="title">Loading current status…</h1>
    }
  `,
  styleUrl: './overall-banner.css',
})
export class OverallBanner {
  /** Server verdict, `null` before the first answer. */
  readonly serverOverall = input<OverallStatus | null>(null);
  readonly services = input<readonly ServiceStatus[] | null>(null);
  readonly activeIncidents = input<readonly IncidentSummary[]>([]);

  readonly overall = computed<OverallStatus | null>(() => {
    const services = this.services();
    if (services === null) return null;
    return resolveOverallStatus(this.serverOverall(), services, this.activeIncidents());
  });
  protected readonly title = computed(() => {
    const overall = this.overall();
    return overall === null ? '' : overallTitle(overall);
  });
  protected readonly icon = computed(() => {
    const overall = this.overall();
    return overall === null ? 'unknown' : overallIcon(overall);
  });
}
