import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { MaintenanceWindow } from '@app/contracts';
import { Clock } from '../../core/polling/clock';
import { AdminApi, AdminApiError, type FieldProblem } from '../api/admin-api';
import type { MaintenanceRequest } from '@app/contracts';
import { Announcer } from '../shared/announcer';
import { Confirmer } from '../shared/confirm-dialog';
import { describeError } from '../shared/describe-error';
import { ErrorSummary, type SummaryItem } from '../shared/error-summary';
import { describeProblem, mapProblems, type MappedProblems } from '../shared/field-problems';
import { FieldControl, FormField } from '../shared/form-field';
import { liveResource } from '../shared/live';
import { ServicePicker } from '../shared/service-picker';
import {
  describeZone,
  formatLocal,
  formatUtc,
  isoToLocalInput,
  localInputToIso,
  nextFullHour,
} from '../shared/local-time';

const FIELDS = ['title', 'serviceIds', 'startsAt', 'endsAt', 'message'] as const;
type Field = (typeof FIELDS)[number];
const LABELS: Record<Field, string> = {
  title: 'Title',
  serviceIds: 'Services',
  startsAt: 'Starts',
  endsAt: 'Ends',
  message: 'Message',
};

export interface MaintenanceDraft {
  title: string;
  serviceIds: string[];
  /** datetime-local values, in the admin's zone. */
  startsAt: string;
  endsAt: string;
  message: string;
}

/** The request: local times converted to UTC; an incomplete time is sent as typed so the API names it. */
export function toMaintenanceRequest(draft: MaintenanceDraft): MaintenanceRequest {
  return {
    title: draft.title.trim(),
    serviceIds: draft.serviceIds,
    startsAt: localInputToIso(draft.startsAt) ?? draft.startsAt,
    endsAt: localInputToIso(draft.endsAt) ?? draft.endsAt,
    message: draft.message.trim(),
  };
}

function freshDraft(now: number): MaintenanceDraft {
  const start = nextFullHour(now);
  return {
    title: '',
    serviceIds: [],
    startsAt: isoToLocalInput(start.toISOString()),
    endsAt: isoToLocalInput(new Date(start.getTime() + 3_600_000).toISOString()),
    message: '',
  };
}

/** Schedule maintenance, see what is active or coming, cancel a window. Local time with UTC alongside. */
@Component({
  selector: 'app-maintenance-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ErrorSummary, FormField, FieldControl, ServicePicker],
  templateUrl: './maintenance-page.html',
  styleUrl: './maintenance-page.css',
})
export class MaintenancePage {
  private readonly api = inject(AdminApi);
  private readonly announcer = inject(Announcer);
  private readonly clock = inject(Clock);
  private readonly confirmer = inject(Confirmer);

  protected readonly windows = liveResource((signal) => this.api.listMaintenance(signal));
  protected readonly services = liveResource((signal) => this.api.listServices(signal), { once: true });
  protected readonly labels = LABELS;
  protected readonly zone = describeZone();

  protected readonly draft = signal<MaintenanceDraft>(freshDraft(Date.now()));
  protected readonly problems = signal<MappedProblems>({ byField: {}, other: [] });
  protected readonly message = signal<string | null>(null);
  protected readonly attempt = signal(0);
  protected readonly saving = signal(false);
  protected readonly cancelError = signal<string | null>(null);

  private readonly names = computed(
    () => new Map((this.services.value() ?? []).map((service) => [service.id, service.name])),
  );
  /** What the typed times mean in UTC, under each input. */
  protected readonly utcOf = computed(() => {
    const { startsAt, endsAt } = this.draft();
    const start = localInputToIso(startsAt);
    const end = localInputToIso(endsAt);
    return { startsAt: start === null ? null : formatUtc(start), endsAt: end === null ? null : formatUtc(end) };
  });
  protected readonly upcoming = computed(() => {
    const now = this.clock.now();
    return (this.windows.value() ?? [])
      .filter((window) => Date.parse(window.endsAt) > now)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
      .map((window) => ({
        window,
        active: Date.parse(window.startsAt) <= now,
        starts: formatLocal(window.startsAt),
        ends: formatLocal(window.endsAt),
        utc: `${formatUtc(window.startsAt)} – ${formatUtc(window.endsAt)}`,
        affected: window.serviceIds.map((id) => this.names().get(id) ?? id).join(', '),
      }));
  });
  protected readonly summary = computed<SummaryItem[]>(() => {
    const { byField, other } = this.problems();
    return [
      ...FIELDS.flatMap((field) =>
        (byField[field] ?? []).map((text) => ({ label: LABELS[field], text, controlId: `maintenance-${field}` })),
      ),
      ...other.map((problem) => ({ label: problem.path, text: describeProblem(problem), controlId: null })),
    ];
  });

  protected errors(field: Field): readonly string[] {
    return this.problems().byField[field] ?? [];
  }

  protected setText(field: 'title' | 'startsAt' | 'endsAt' | 'message', event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.draft.update((draft) => ({ ...draft, [field]: value }));
  }

  protected setServiceIds(serviceIds: string[]): void {
    this.draft.update((draft) => ({ ...draft, serviceIds }));
  }

  protected async schedule(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving()) return;
    this.saving.set(true);
    try {
      const window = await this.api.scheduleMaintenance(toMaintenanceRequest(this.draft()));
      this.announcer.announce(`Maintenance “${window.title}” scheduled for ${formatLocal(window.startsAt)}.`);
      this.draft.set(freshDraft(Date.now()));
      this.show([], null, false);
    } catch (error) {
      if (error instanceof AdminApiError && error.details.length > 0) this.show(error.details, null);
      else if (!(error instanceof AdminApiError && error.status === 401)) this.show([], describeError(error));
    } finally {
      this.saving.set(false);
      this.windows.refresh();
    }
  }

  protected async cancel(window: MaintenanceWindow): Promise<void> {
    const confirmed = await this.confirmer.ask({
      title: `Cancel “${window.title}”?`,
      body: `The window (${formatLocal(window.startsAt)} – ${formatLocal(window.endsAt)}) is removed from the status page; affected services are monitored and alert as usual again.`,
      confirmLabel: 'Cancel maintenance',
      danger: true,
    });
    if (!confirmed) return;
    this.cancelError.set(null);
    try {
      await this.api.cancelMaintenance(window.id);
      this.announcer.announce(`Maintenance “${window.title}” cancelled.`);
    } catch (error) {
      this.cancelError.set(`${window.title}: ${describeError(error)}`);
    } finally {
      this.windows.refresh();
    }
  }

  private show(problems: readonly FieldProblem[], message: string | null, failed = true): void {
    this.problems.set(mapProblems(problems, FIELDS));
    this.message.set(message);
    if (failed) this.attempt.update((count) => count + 1);
  }
}
