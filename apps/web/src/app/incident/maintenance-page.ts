import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { StatuspageScheduledMaintenance } from '@app/contracts';
import { StatusApi } from '../core/api/status-api';
import { Branding } from '../core/branding/branding';
import { AppLink } from '../core/navigation/app-link';
import { NotFoundView } from '../not-found/not-found-page';
import { DurationView, TimeView } from '../shared/time';
import { AffectedServices } from './affected-services';
import { IncidentUpdates } from './incident-updates';

const STATUS_LABELS: Record<StatuspageScheduledMaintenance['status'], string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

/** /maintenance/:id — one maintenance window like an incident: when, what, which services, its updates. */
@Component({
  selector: 'app-maintenance-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, TimeView, DurationView, NotFoundView, AffectedServices, IncidentUpdates],
  template: `
    <nav class="crumbs" aria-label="Breadcrumb">
      <a [appLink]="{ kind: 'status' }">← Current status</a>
      <span aria-hidden="true"> · </span>
      <a [appLink]="{ kind: 'history', page: 1 }">Incident history</a>
    </nav>
    @if (missing()) {
      <app-not-found-view what="maintenance" [id]="id()" />
    } @else if (window(); as window) {
      <article class="incident" data-impact="maintenance" data-testid="maintenance">
        <header>
          <h1>{{ window.name }}</h1>
          <p class="badges">
            <span class="impact">Maintenance</span>
            <span class="status" [class.resolved]="window.status === 'completed'">{{ label() }}</span>
          </p>
        </header>
        <dl class="facts card">
          <div>
            <dt>Starts</dt>
            <dd><app-time [at]="window.scheduled_for" /></dd>
          </div>
          <div>
            <dt>Ends</dt>
            <dd><app-time [at]="window.scheduled_until" /></dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd><app-duration [from]="window.scheduled_for" [to]="window.scheduled_until" /></dd>
          </div>
          <div>
            <dt>Affected</dt>
            <dd><app-affected-services [services]="affected()" /></dd>
          </div>
        </dl>
        <app-incident-updates [updates]="updates()" />
      </article>
    } @else {
      <h1 class="loading">Loading maintenance…</h1>
    }
  `,
  styleUrl: './incident-page.css',
})
export class MaintenancePage {
  readonly id = input.required<string>();
  private readonly windows = signal<StatuspageScheduledMaintenance[] | null>(null);

  protected readonly window = computed(() => this.windows()?.find((window) => window.id === this.id()) ?? null);
  protected readonly missing = computed(() => this.windows() !== null && this.window() === null);
  protected readonly label = computed(() => STATUS_LABELS[this.window()?.status ?? 'scheduled']);
  protected readonly affected = computed(() =>
    (this.window()?.components ?? []).map((component) => ({ id: component.id, name: component.name, known: true })),
  );
  protected readonly updates = computed(() =>
    (this.window()?.incident_updates ?? []).map((update) => ({
      label: this.statusOf(update.status),
      message: update.body,
      at: update.display_at,
    })),
  );

  constructor() {
    const branding = inject(Branding);
    inject(StatusApi)
      .maintenances()
      .pipe(takeUntilDestroyed())
      .subscribe({ next: (windows) => this.windows.set(windows), error: () => this.windows.set([]) });
    effect(() => branding.setTitle(this.missing() ? 'Maintenance not found' : (this.window()?.name ?? 'Maintenance')));
  }

  protected statusOf(status: string): string {
    return STATUS_LABELS[status as StatuspageScheduledMaintenance['status']] ?? status;
  }
}
