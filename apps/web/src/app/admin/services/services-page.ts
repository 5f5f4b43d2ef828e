import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { SERVICE_STATES, type AdminService } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { Clock } from '../../core/polling/clock';
import { stateLabel } from '../../shared/format';
import { StateBadge } from '../../shared/state-badge';
import { AdminApi } from '../api/admin-api';
import { adminRoute } from '../admin-route';
import { Announcer } from '../shared/announcer';
import { Confirmer } from '../shared/confirm-dialog';
import { describeError } from '../shared/describe-error';
import { liveResource } from '../shared/live';
import { KIND_LABELS, TLS_NOT_VERIFIED, tlsNotVerified } from './check-kind';
import { buildRows, filterRows, groupsOf, type ServiceFilter, type StateFilter } from './service-rows';

const PAGE = 100;

/** Every monitored service with its live state and last check; filters; pause/resume and delete. */
@Component({
  selector: 'app-services-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, StateBadge],
  templateUrl: './services-page.html',
  styleUrls: ['./services-page.css', '../shared/table.css'],
})
export class ServicesPage {
  private readonly api = inject(AdminApi);
  private readonly announcer = inject(Announcer);
  private readonly clock = inject(Clock);
  private readonly confirmer = inject(Confirmer);

  protected readonly services = liveResource((signal) => this.api.listServices(signal));
  /** The public snapshot carries maintenance, which the admin list does not (the last check is in the admin list). */
  private readonly status = liveResource((signal) => this.api.status(signal));

  protected readonly filter = signal<ServiceFilter>({ group: null, state: 'all', text: '' });
  /** Rows rendered at once: a catalog of thousands stays responsive; "Show more" adds a page. */
  protected readonly limit = signal(PAGE);
  protected readonly busy = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);

  protected readonly newRoute = adminRoute({ kind: 'service-new' });
  protected readonly kindLabels = KIND_LABELS;
  protected readonly tlsMarker = TLS_NOT_VERIFIED;
  protected readonly tlsNotVerified = tlsNotVerified;
  protected readonly stateOptions: { value: StateFilter; label: string }[] = [
    { value: 'all', label: 'All states' },
    ...SERVICE_STATES.map((state) => ({ value: state, label: stateLabel(state) })),
    { value: 'paused', label: 'Paused' },
  ];
  protected readonly groups = computed(() => groupsOf(this.services.value() ?? []));
  private readonly rows = computed(() =>
    buildRows(this.services.value() ?? [], this.status.value()?.services ?? [], this.clock.now()),
  );
  private readonly matching = computed(() => filterRows(this.rows(), this.filter()));
  protected readonly visible = computed(() => this.matching().slice(0, this.limit()));
  protected readonly hidden = computed(() => this.matching().length - this.visible().length);
  protected readonly counts = computed(() => {
    const shown = this.matching().length;
    const total = this.rows().length;
    return shown === total
      ? `${total} ${total === 1 ? 'service' : 'services'}`
      : `Showing ${shown} of ${total} services`;
  });

  protected editRoute(service: AdminService) {
    return adminRoute({ kind: 'service', id: service.id });
  }

  protected setText(event: Event): void {
    const text = (event.target as HTMLInputElement).value;
    this.filter.update((filter) => ({ ...filter, text }));
  }

  protected showMore(): void {
    this.limit.update((limit) => limit + PAGE);
  }

  protected setGroup(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.filter.update((filter) => ({ ...filter, group: value === '*' ? null : value }));
  }

  protected setState(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    const option = this.stateOptions.find((candidate) => candidate.value === value);
    this.filter.update((filter) => ({ ...filter, state: option?.value ?? 'all' }));
  }

  protected async togglePause(service: AdminService): Promise<void> {
    const pause = !service.paused;
    if (
      pause &&
      !(await this.confirmer.ask({
        title: `Pause ${service.name}?`,
        body: `${service.name} will not be checked until you resume it, and the status page shows it as “No data”. An open automatic incident for it is resolved.`,
        confirmLabel: 'Pause checks',
      }))
    ) {
      return;
    }
    await this.act(service, async () => {
      await this.api.setPaused(service.id, pause);
      this.announcer.announce(`${service.name} ${pause ? 'paused' : 'resumed'}.`);
    });
  }

  protected async remove(service: AdminService): Promise<void> {
    const confirmed = await this.confirmer.ask({
      title: `Delete ${service.name}?`,
      body: `This stops monitoring ${service.name} (${service.id}) and removes its definition. Its stored check history stays until it expires. This cannot be undone.`,
      confirmLabel: 'Delete service',
      danger: true,
    });
    if (!confirmed) return;
    await this.act(service, async () => {
      await this.api.deleteService(service.id);
      this.announcer.announce(`${service.name} (${service.id}) deleted.`);
    });
  }

  private async act(service: AdminService, action: () => Promise<void>): Promise<void> {
    this.busy.set(service.id);
    this.actionError.set(null);
    try {
      await action();
    } catch (error) {
      this.actionError.set(`${service.name}: ${describeError(error)}`);
    } finally {
      this.busy.set(null);
      this.services.refresh();
      this.status.refresh();
    }
  }
}
