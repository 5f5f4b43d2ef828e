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
import { CHECK_KINDS, DNS_RECORD_TYPES, type AdminService } from '@app/contracts';
import { AppLink } from '../../core/navigation/app-link';
import { Navigation } from '../../core/navigation/navigation';
import { AdminApi, AdminApiError, type FieldProblem } from '../api/admin-api';
import { adminRoute } from '../admin-route';
import { afterRender } from '../shared/after-render';
import { Announcer } from '../shared/announcer';
import { Confirmer } from '../shared/confirm-dialog';
import { describeError } from '../shared/describe-error';
import { ErrorSummary, type SummaryItem } from '../shared/error-summary';
import { describeProblem, mapProblems, type MappedProblems } from '../shared/field-problems';
import { FieldControl, FormField } from '../shared/form-field';
import { FlagCheck } from '../shared/flag-check';
import { SERVICE_DEFAULTS } from '@app/contracts';
import { KIND_LABELS, TLS_NOT_VERIFIED, tlsNotVerified } from './check-kind';
import { HeartbeatToken } from './heartbeat-token';
import {
  describeKept,
  emptyServiceForm,
  isCheckKind,
  isDnsRecordType,
  KIND_FORM_FIELDS,
  withKind,
  SERVICE_FIELD_LABELS,
  SERVICE_FIELDS,
  serviceFormFrom,
  toServiceDefinition,
  type ServiceField,
  type ServiceFormValue,
} from './service-form-model';

type TextField = Exclude<
  { [K in keyof ServiceFormValue]: ServiceFormValue[K] extends string ? K : never }[keyof ServiceFormValue],
  'method' | 'kind' | 'dnsType' | 'tcpLineEnding'
>;
type FlagField = {
  [K in keyof ServiceFormValue]: ServiceFormValue[K] extends boolean ? K : never;
}[keyof ServiceFormValue];

/** A ping token the API just made (creating a heartbeat service, turning one into it, or rotating). */
interface IssuedToken {
  readonly title: string;
  readonly token: string;
  readonly pingUrl: string;
}

/** The control id of a field: `svc-slo-target` for `slo.target`. */
export const controlIdOf = (field: ServiceField): string => `svc-${field.replace('.', '-')}`;

/**
 * Create (`serviceId` null) or edit a service with every field of the API's definition. The API validates: its
 * `details` appear next to the fields and in a summary that takes focus. File-owned services are shown read-only.
 */
@Component({
  selector: 'app-service-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, ErrorSummary, FormField, FieldControl, FlagCheck, HeartbeatToken],
  templateUrl: './service-form.html',
})
export class ServiceForm {
  readonly serviceId = input<string | null>(null);

  private readonly api = inject(AdminApi);
  private readonly navigation = inject(Navigation);
  private readonly announcer = inject(Announcer);
  private readonly confirmer = inject(Confirmer);
  private readonly document = inject(DOCUMENT);

  protected readonly defaults = SERVICE_DEFAULTS;
  protected readonly labels = SERVICE_FIELD_LABELS;
  protected readonly id = controlIdOf;
  protected readonly servicesRoute = adminRoute({ kind: 'services' });
  protected readonly kindLabels = KIND_LABELS;
  protected readonly tlsMarker = TLS_NOT_VERIFIED;
  protected readonly tlsNotVerified = tlsNotVerified;
  protected readonly kinds = CHECK_KINDS;
  protected readonly dnsTypes = DNS_RECORD_TYPES;

  protected readonly loaded = signal<AdminService | null>(null);
  protected readonly loadError = signal<string | null>(null);
  protected readonly form = signal<ServiceFormValue>(emptyServiceForm());
  protected readonly problems = signal<MappedProblems>({ byField: {}, other: [] });
  protected readonly message = signal<string | null>(null);
  protected readonly attempt = signal(0);
  protected readonly saving = signal(false);
  protected readonly issued = signal<IssuedToken | null>(null);
  protected readonly rotating = signal(false);

  protected readonly keptSummary = computed(() => describeKept(this.form().kept));
  protected readonly creating = computed(() => this.serviceId() === null);
  protected readonly readOnly = computed(() => this.loaded()?.source === 'config');
  protected readonly ready = computed(() => this.creating() || this.loaded() !== null);
  protected readonly summary = computed<SummaryItem[]>(() => {
    const { byField, other } = this.problems();
    return [
      ...SERVICE_FIELDS.flatMap((field) =>
        (byField[field] ?? []).map((text) => ({ label: this.labels[field], text, controlId: controlIdOf(field) })),
      ),
      ...other.map((problem) => ({ label: problem.path, text: describeProblem(problem), controlId: null })),
    ];
  });

  constructor() {
    effect(() => {
      const id = this.serviceId();
      untracked(() => void this.load(id));
    });
  }

  /** The chosen kind shows this field (common fields are always shown). */
  protected shows(field: ServiceField): boolean {
    return (KIND_FORM_FIELDS[this.form().kind] as readonly string[]).includes(field);
  }

  /** Rotating is offered on a stored heartbeat service the API owns (a file's token comes from the file). */
  protected readonly canRotate = computed(() => {
    const service = this.loaded();
    return service !== null && service.kind === 'heartbeat' && service.source === 'api';
  });

  protected errors(field: ServiceField): readonly string[] {
    return this.problems().byField[field] ?? [];
  }

  protected setText(field: TextField, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.form.update((form) => ({ ...form, [field]: value }));
  }

  protected setMethod(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.form.update((form) => ({ ...form, method: value === 'HEAD' || value === 'POST' ? value : 'GET' }));
  }

  protected setKind(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (isCheckKind(value)) this.form.update((form) => withKind(form, value));
  }

  protected setDnsType(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (isDnsRecordType(value)) this.form.update((form) => ({ ...form, dnsType: value }));
  }

  protected setFlag(field: FlagField, checked: boolean): void {
    this.form.update((form) => ({ ...form, [field]: checked }));
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving() || this.readOnly()) return;
    const result = toServiceDefinition(this.form());
    if (!result.ok) return this.show(result.problems, null);
    this.saving.set(true);
    const id = this.serviceId();
    try {
      const saved =
        id === null
          ? await this.api.createService(result.definition)
          : await this.api.replaceService(id, result.definition);
      this.announcer.announce(
        id === null
          ? `Service ${saved.name} (${saved.id}) created. Its first check appears in the list within ${saved.interval}.`
          : `Service ${saved.name} (${saved.id}) saved.`,
      );
      if (saved.heartbeatToken === undefined) {
        this.navigation.navigate(this.servicesRoute);
        return;
      }
      // The one time this token is shown: stay here until the admin has copied it.
      this.loaded.set(saved);
      this.showToken(`Ping token for ${saved.name}`, saved.heartbeatToken);
    } catch (error) {
      if (error instanceof AdminApiError && error.details.length > 0) this.show(error.details, null);
      else if (!(error instanceof AdminApiError && error.status === 401)) this.show([], describeError(error));
    } finally {
      this.saving.set(false);
    }
  }

  protected async rotate(): Promise<void> {
    const service = this.loaded();
    if (service === null || this.rotating()) return;
    const confirmed = await this.confirmer.ask({
      title: `Rotate the ping token of ${service.name}?`,
      body: `The current token stops working at once: until the job calls the new ping URL, ${service.name} gets no pings and turns down after its interval and grace period.`,
      confirmLabel: 'Rotate token',
      danger: true,
    });
    if (!confirmed) return;
    this.rotating.set(true);
    try {
      const { token } = await this.api.rotateHeartbeatToken(service.id);
      this.announcer.announce(`New ping token for ${service.name}; the old one no longer works.`);
      this.showToken(`New ping token for ${service.name}`, token);
    } catch (error) {
      if (!(error instanceof AdminApiError && error.status === 401)) this.show([], describeError(error));
    } finally {
      this.rotating.set(false);
    }
  }

  private showToken(title: string, token: string): void {
    this.issued.set({ title, token, pingUrl: this.api.heartbeatUrl(token, this.document.baseURI) });
    this.problems.set({ byField: {}, other: [] });
    this.message.set(null);
    afterRender(() => this.document.getElementById('heartbeat-token-title')?.focus());
  }

  private show(problems: readonly FieldProblem[], message: string | null): void {
    this.problems.set(mapProblems(problems, SERVICE_FIELDS));
    this.message.set(message);
    this.attempt.update((count) => count + 1);
  }

  private async load(id: string | null): Promise<void> {
    this.problems.set({ byField: {}, other: [] });
    this.message.set(null);
    this.loaded.set(null);
    this.loadError.set(null);
    this.issued.set(null);
    if (id === null) {
      this.form.set(emptyServiceForm());
      return;
    }
    try {
      const service = await this.api.getService(id);
      if (this.serviceId() !== id) return;
      this.loaded.set(service);
      this.form.set(serviceFormFrom(service));
    } catch (error) {
      if (this.serviceId() === id) this.loadError.set(describeError(error));
    }
  }
}
