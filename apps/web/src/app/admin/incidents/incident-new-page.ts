import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { IncidentImpact, IncidentStatus, IncidentSummary } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { Navigation } from '../../core/navigation/navigation';
import { IncidentCard } from '../../status/incidents/incident-card';
import { impactLabel, incidentStatusLabel } from '../../status/incidents/incident-view';
import { AdminApi, AdminApiError, type FieldProblem } from '../api/admin-api';
import { INCIDENT_IMPACTS, INCIDENT_STATUSES, type CreateIncidentRequest } from '@app/contracts';
import { adminRoute } from '../admin-route';
import { Announcer } from '../shared/announcer';
import { describeError } from '../shared/describe-error';
import { ErrorSummary, type SummaryItem } from '../shared/error-summary';
import { describeProblem, mapProblems, type MappedProblems } from '../shared/field-problems';
import { FieldControl, FormField } from '../shared/form-field';
import { liveResource } from '../shared/live';
import { ServicePicker } from '../shared/service-picker';
import { IncidentEdits } from './incident-edits';

export const IMPACT_HINTS: Record<IncidentImpact, string> = {
  none: 'Informational: nothing is broken.',
  minor: 'Some users see errors or slowness.',
  major: 'A core function is failing for many users.',
  critical: 'The service is unusable.',
};

export interface IncidentDraft {
  title: string;
  impact: IncidentImpact | null;
  serviceIds: string[];
  status: IncidentStatus;
  message: string;
  notify: boolean;
}

const FIELDS = ['title', 'impact', 'serviceIds', 'status', 'message', 'notify'] as const;
const LABELS: Record<(typeof FIELDS)[number], string> = {
  title: 'Title',
  impact: 'Impact',
  serviceIds: 'Affected services',
  status: 'Status',
  message: 'Message',
  notify: 'Notify on-call',
};

/** The request for a draft; only "no impact chosen" is caught here (JSON has no way to send "nothing chosen"). */
export function toCreateRequest(
  draft: IncidentDraft,
): { ok: true; body: CreateIncidentRequest } | { ok: false; problems: FieldProblem[] } {
  if (draft.impact === null) {
    return {
      ok: false,
      problems: [{ path: 'impact', value: undefined, rule: 'choose one: none, minor, major or critical' }],
    };
  }
  return {
    ok: true,
    body: {
      title: draft.title.trim(),
      impact: draft.impact,
      serviceIds: draft.serviceIds,
      status: draft.status,
      message: draft.message.trim(),
      notify: draft.notify,
    },
  };
}

/** Open a manual incident: title, impact, affected services, first message, whether to page on-call; with preview. */
@Component({
  selector: 'app-incident-new-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, ErrorSummary, FormField, FieldControl, IncidentCard, ServicePicker],
  templateUrl: './incident-new-page.html',
})
export class IncidentNewPage {
  private readonly api = inject(AdminApi);
  private readonly navigation = inject(Navigation);
  private readonly announcer = inject(Announcer);
  private readonly edits = inject(IncidentEdits);

  protected readonly services = liveResource((signal) => this.api.listServices(signal), { once: true });
  protected readonly listRoute = adminRoute({ kind: 'incidents' });
  protected readonly impacts = INCIDENT_IMPACTS.map((impact) => ({
    impact,
    label: impactLabel(impact),
    hint: IMPACT_HINTS[impact],
  }));
  protected readonly statuses = INCIDENT_STATUSES.map((status) => ({ status, label: incidentStatusLabel(status) }));
  protected readonly labels = LABELS;

  protected readonly draft = signal<IncidentDraft>({
    title: '',
    impact: null,
    serviceIds: [],
    status: 'investigating',
    message: '',
    notify: false,
  });
  protected readonly problems = signal<MappedProblems>({ byField: {}, other: [] });
  protected readonly message = signal<string | null>(null);
  protected readonly attempt = signal(0);
  protected readonly saving = signal(false);

  protected readonly names = computed(
    () => new Map((this.services.value() ?? []).map((service) => [service.id, service.name])),
  );
  protected readonly preview = computed<IncidentSummary>(() => {
    const draft = this.draft();
    const now = new Date().toISOString();
    return {
      id: 'preview',
      title: draft.title.trim() || 'Untitled incident',
      status: draft.status,
      impact: draft.impact ?? 'none',
      kind: 'manual',
      serviceIds: draft.serviceIds,
      startedAt: now,
      resolvedAt: draft.status === 'resolved' ? now : null,
      updates: [{ at: now, status: draft.status, message: draft.message.trim() || 'Your message appears here.' }],
    };
  });
  protected readonly summary = computed<SummaryItem[]>(() => {
    const { byField, other } = this.problems();
    return [
      ...FIELDS.flatMap((field) =>
        (byField[field] ?? []).map((text) => ({ label: LABELS[field], text, controlId: `incident-${field}` })),
      ),
      ...other.map((problem) => ({ label: problem.path, text: describeProblem(problem), controlId: null })),
    ];
  });

  protected errors(field: (typeof FIELDS)[number]): readonly string[] {
    return this.problems().byField[field] ?? [];
  }

  protected setText(field: 'title' | 'message', event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.draft.update((draft) => ({ ...draft, [field]: value }));
  }

  protected setImpact(impact: IncidentImpact): void {
    this.draft.update((draft) => ({ ...draft, impact }));
  }

  protected setStatus(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    const status = INCIDENT_STATUSES.find((candidate) => candidate === value) ?? 'investigating';
    this.draft.update((draft) => ({ ...draft, status }));
  }

  protected setServiceIds(serviceIds: string[]): void {
    this.draft.update((draft) => ({ ...draft, serviceIds }));
  }

  protected setNotify(event: Event): void {
    const notify = (event.target as HTMLInputElement).checked;
    this.draft.update((draft) => ({ ...draft, notify }));
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving()) return;
    const request = toCreateRequest(this.draft());
    if (!request.ok) return this.show(request.problems, null);
    this.saving.set(true);
    try {
      const created = await this.api.createIncident(request.body);
      this.edits.record(created);
      this.announcer.announce(
        `Incident “${created.title}” opened${request.body.notify ? ' and on-call notified' : ''}.`,
      );
      this.navigation.navigate(adminRoute({ kind: 'incident', id: created.id }));
    } catch (error) {
      if (error instanceof AdminApiError && error.details.length > 0) this.show(error.details, null);
      else if (!(error instanceof AdminApiError && error.status === 401)) this.show([], describeError(error));
    } finally {
      this.saving.set(false);
    }
  }

  private show(problems: readonly FieldProblem[], message: string | null): void {
    this.problems.set(mapProblems(problems, FIELDS));
    this.message.set(message);
    this.attempt.update((count) => count + 1);
  }
}
