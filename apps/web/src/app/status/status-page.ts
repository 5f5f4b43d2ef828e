import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { Clock } from '../core/polling/clock';
import { StatusFeed, secondsBetween } from '../core/polling/status-feed';
import { AppLink } from '../core/navigation/app-link';
import { formatAgo, visitorTimeZone } from '../shared/format';
import { TimeView } from '../shared/time';
import { groupServices } from './group-services';
import { IncidentCard } from './incidents/incident-card';
import { PastIncidents } from './incidents/past-incidents';
import { OverallBanner } from './overall-banner/overall-banner';
import { ServiceCard } from './service-card/service-card';

const DAY_MS = 86_400_000;

@Component({
  selector: 'app-status-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, OverallBanner, ServiceCard, IncidentCard, PastIncidents, TimeView],
  templateUrl: './status-page.html',
  styleUrl: './status-page.css',
})
export class StatusPage {
  protected readonly feed = inject(StatusFeed);
  private readonly clock = inject(Clock);

  protected readonly status = this.feed.status;
  protected readonly groups = computed(() => groupServices(this.status()?.services ?? []));
  protected readonly serviceNames = computed(
    () => new Map((this.status()?.services ?? []).map((service) => [service.id, service.name])),
  );
  protected readonly history = this.feed.history;
  protected readonly days = computed(() => this.history()?.days ?? []);
  /** Active and recent incidents, for the bar tooltips. */
  protected readonly allIncidents = this.feed.knownIncidents;
  protected readonly today = computed(() => Math.floor(this.clock.now() / DAY_MS) * DAY_MS);
  protected readonly updatedAgo = computed(() => {
    const at = this.feed.lastUpdatedAt();
    return at === null ? null : formatAgo(secondsBetween(at, this.clock.now()));
  });
  protected readonly maintenance = computed(() =>
    (this.status()?.upcomingMaintenance ?? []).map((window) => ({
      ...window,
      affected: window.serviceIds.map((id) => this.serviceNames().get(id) ?? id).join(', '),
    })),
  );
  protected readonly timeZone = visitorTimeZone();

  constructor() {
    this.feed.connect();
  }
}
