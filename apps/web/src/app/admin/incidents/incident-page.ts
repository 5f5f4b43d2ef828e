import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DOCUMENT,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import type { IncidentImpact, IncidentStatus, IncidentSummary } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { formatTime } from '../../shared/format';
import { IncidentCard } from '../../status/incidents/incident-card';
import { impactLabel, incidentStatusLabel } from '../../status/incidents/incident-view';
import { AdminApi, AdminApiError, type FieldProblem } from '../api/admin-api';
import { INCIDENT_IMPACTS } from '@app/contracts';
import { adminRoute } from '../admin-route';
import { Announcer } from '../shared/announcer';
import { describeError } from '../shared/describe-error';
import { ErrorSummary, type SummaryItem } from '../shared/error-summary';
import { describeProblem, mapProblems, type MappedProblems } from '../shared/field-problems';
import { FieldControl, FormField } from '../shared/form-field';
import { liveResource } from '../shared/live';
import { IncidentEdits } from './incident-edits';
import { statusChoices, suggestedStatus, withUpdate } from './incident-transitions';

const UPDATE_FIELDS = ['status', 'message', 'notify'] as const;
const EDIT_FIELDS = ['title', 'impact', 'serviceIds'] as const;
const LABELS = {
  status: 'New status',
  message: 'Message',
  notify: 'Notify on-call',
  title: 'Title',
  impact: 'Impact',
  serviceIds: 'Affected services',
} as const satisfies Record<string, string>;

interface FormState {
  readonly problems: MappedProblems;
  readonly message: string | null;
  readonly attempt: number;
}

const CLEAN: FormState = { problems: { byField: {}, other: [] }, message: null, attempt: 0 };

function summaryOf(state: FormState, fields: readonly string[], prefix: string): SummaryItem[] {
  return [
    ...fields.flatMap((field) =>
      (state.problems.byField[field] ?? []).map((text) => ({
        label: (LABELS as Record<string, string>)[field] ?? field,
        text,
        controlId: `${prefix}-${field}`,
      })),
    ),
    ...state.problems.other.map((problem) => ({
      label: problem.path,
      text: describeProblem(problem),
      controlId: null,
    })),
  ];
}

/**
 * One incident: its public timeline, a form to post the next update (only the statuses the API accepts, with a
 * preview of the page after it), and a form to edit title and impact.
 */
@Component({
  selector: 'app-incident-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, ErrorSummary, FormField, FieldControl, IncidentCard],
  templateUrl: './incident-page.html',
  styleUrl: './incident-page.css',
})
export class IncidentPage {
  readonly id = input.required<string>();

  private readonly api = inject(AdminApi);
  private readonly announcer = inject(Announcer);
  private readonly edits = inject(IncidentEdits);
  private readonly document = inject(DOCUMENT);

  private readonly server = liveResource((signal) => this.api.incident(this.id(), signal), { manual: true });
  private readonly status = liveResource((signal) => this.api.status(signal));

  protected readonly listRoute = adminRoute({ kind: 'incidents' });
  protected readonly labels = LABELS;
  protected readonly impacts = INCIDENT_IMPACTS.map((impact) => ({ impact, label: impactLabel(impact) }));

  protected readonly incident = computed<IncidentSummary | null>(() => {
    const id = this.id();
    const server = this.server.value();
    return this.edits.one(server?.id === id ? server : null, id);
  });
  protected readonly loadError = computed(() => (this.incident() === null ? this.server.error() : null));
  protected readonly names = computed(
    () => new Map((this.status.value()?.services ?? []).map((service) => [service.id, service.name])),
  );
  protected readonly meta = computed(() => {
    const incident = this.incident();
    if (incident === null) return null;
    return {
      kind: incident.kind === 'auto' ? 'Automatic (opened by the monitor)' : 'Manual',
      status: incidentStatusLabel(incident.status),
      impact: impactLabel(incident.impact),
      started: formatTime(incident.startedAt),
      resolved: incident.resolvedAt === null ? null : formatTime(incident.resolvedAt),
    };
  });
  protected readonly choices = computed(() => {
    const incident = this.incident();
    if (incident === null) return [];
    return statusChoices(incident, (id) => this.names().get(id) ?? id).map((choice) => ({
      ...choice,
      label: incidentStatusLabel(choice.status),
    }));
  });
  protected readonly canUpdate = computed(() => this.choices().some((choice) => choice.refusedBecause === null));

  // Post an update.
  /** The admin's pick, if it is still allowed; else the suggested next step. */
  protected readonly chosenStatus = signal<IncidentStatus | null>(null);
  protected readonly updateStatus = computed<IncidentStatus | null>(() => {
    const incident = this.incident();
    if (incident === null) return null;
    const chosen = this.chosenStatus();
    const allowed = this.choices().some((choice) => choice.status === chosen && choice.refusedBecause === null);
    return allowed ? chosen : suggestedStatus(incident, this.choices());
  });
  protected readonly updateMessage = signal('');
  protected readonly updateNotify = signal(false);
  protected readonly updateState = signal<FormState>(CLEAN);
  protected readonly posting = signal(false);
  protected readonly updateSummary = computed(() => summaryOf(this.updateState(), UPDATE_FIELDS, 'update'));
  protected readonly preview = computed<IncidentSummary | null>(() => {
    const incident = this.incident();
    const status = this.updateStatus();
    const message = this.updateMessage().trim();
    if (incident === null || status === null || message === '') return null;
    return withUpdate(incident, { status, message }, new Date().toISOString());
  });

  // Edit title and impact.
  /** Typed title / chosen impact; null shows the incident's current value. */
  protected readonly titleDraft = signal<string | null>(null);
  protected readonly impactDraft = signal<IncidentImpact | null>(null);
  protected readonly editTitle = computed(() => this.titleDraft() ?? this.incident()?.title ?? '');
  protected readonly editImpact = computed(() => this.impactDraft() ?? this.incident()?.impact ?? 'minor');
  protected readonly editState = signal<FormState>(CLEAN);
  protected readonly savingEdit = signal(false);
  protected readonly editSummary = computed(() => summaryOf(this.editState(), EDIT_FIELDS, 'edit'));

  constructor() {
    // Another incident (in-console link): start over.
    effect(() => {
      this.id();
      untracked(() => {
        this.server.refresh();
        this.chosenStatus.set(null);
        this.titleDraft.set(null);
        this.impactDraft.set(null);
        this.updateMessage.set('');
        this.updateState.set(CLEAN);
        this.editState.set(CLEAN);
      });
    });
  }

  protected errors(state: FormState, field: string): readonly string[] {
    return state.problems.byField[field] ?? [];
  }

  protected text(event: Event): string {
    return (event.target as HTMLInputElement | HTMLTextAreaElement).value;
  }

  protected checked(event: Event): boolean {
    return (event.target as HTMLInputElement).checked;
  }

  protected chooseImpact(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.impactDraft.set(INCIDENT_IMPACTS.find((impact) => impact === value) ?? this.editImpact());
  }

  protected async postUpdate(event: Event): Promise<void> {
    event.preventDefault();
    const incident = this.incident();
    const status = this.updateStatus();
    if (incident === null || status === null || this.posting()) return;
    this.posting.set(true);
    try {
      const updated = await this.api.postUpdate(incident.id, {
        status,
        message: this.updateMessage().trim(),
        notify: this.updateNotify(),
      });
      this.edits.record(updated);
      this.updateMessage.set('');
      this.updateNotify.set(false);
      this.chosenStatus.set(null);
      this.updateState.set(CLEAN);
      this.announcer.announce(`Update posted: ${incidentStatusLabel(status)}.`);
      // The form is gone once the incident is resolved: put focus somewhere meaningful.
      if (status === 'resolved') this.document.querySelector<HTMLElement>('.view-title')?.focus();
    } catch (error) {
      this.updateState.update((state) => this.failed(state, error, UPDATE_FIELDS));
    } finally {
      this.posting.set(false);
      this.server.refresh();
    }
  }

  protected async saveEdit(event: Event): Promise<void> {
    event.preventDefault();
    const incident = this.incident();
    if (incident === null || this.savingEdit()) return;
    this.savingEdit.set(true);
    try {
      const edited = await this.api.editIncident(incident.id, {
        title: this.editTitle().trim(),
        impact: this.editImpact(),
      });
      this.edits.record(edited);
      this.titleDraft.set(null);
      this.impactDraft.set(null);
      this.editState.set(CLEAN);
      this.announcer.announce(`Saved: ${impactLabel(edited.impact)}, “${edited.title}”.`);
    } catch (error) {
      this.editState.update((state) => this.failed(state, error, EDIT_FIELDS));
    } finally {
      this.savingEdit.set(false);
      this.server.refresh();
    }
  }

  private failed(state: FormState, error: unknown, fields: readonly string[]): FormState {
    const details: readonly FieldProblem[] = error instanceof AdminApiError ? error.details : [];
    const silent = error instanceof AdminApiError && error.status === 401; // the console shows sign-in
    return {
      problems: mapProblems(details, fields),
      message: details.length > 0 || silent ? null : describeError(error),
      attempt: state.attempt + 1,
    };
  }
}
