import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { OverallStatus } from '@app/contracts';
import { StateIcon } from '../../shared/state-icon';
import { overallIcon, overallTitle } from './overall-status';

/** The headline: one sentence, an icon and a colour, all three saying the same thing. */
@Component({
  selector: 'app-overall-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateIcon],
  // Polite live region: a screen-reader user hears the headline change (e.g. to "Partial outage") without a reload.
  host: { class: 'banner-box', '[attr.data-overall]': 'overall() ?? "loading"', 'aria-live': 'polite' },
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
  /** The server's headline (services and open incidents already weighed), `null` before the first answer. */
  readonly overall = input<OverallStatus | null>(null);
  protected readonly title = computed(() => {
    const overall = this.overall();
    return overall === null ? '' : overallTitle(overall);
  });
  protected readonly icon = computed(() => {
    const overall = this.overall();
    return overall === null ? 'unknown' : overallIcon(overall);
  });
}
