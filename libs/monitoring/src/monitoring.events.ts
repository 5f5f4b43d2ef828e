import { Subject, type Observable } from 'rxjs';
import type { ServiceState } from '@app/contracts';
import type { StoredCheck } from './ports.js';

/** Emitted whenever a service's evaluated state changes; the incidents library subscribes. */
export interface ServiceStateChanged {
  serviceId: string;
  serviceName: string;
  from: Exclude<ServiceState, 'maintenance'>;
  to: Exclude<ServiceState, 'maintenance'>;
  /** Epoch ms of the check that caused the change. */
  at: number;
  /** The check that caused the change (its error is the "last error" alerts show). */
  check: StoredCheck;
  /** True when the service was inside a maintenance window: record it, but do not page. */
  inMaintenance: boolean;
  /** Settles once the new state is stored (never rejects): act on the change only after it. */
  persisted: Promise<void>;
}

/** Emitted when this replica starts working a shard (after a claim or takeover, its services restored). */
export interface ShardAdopted {
  shard: number;
  serviceIds: string[];
}

/** Emitted after every check (for metrics): what it saw and how late it started. */
export interface CheckCompleted {
  serviceId: string;
  ok: boolean;
  latencyMs: number;
  /** The probe's short failure reason, undefined on success. */
  error: string | undefined;
  /** How late the check started after its due time (ms). */
  slipMs: number;
  /** Epoch ms notAfter of the certificate the check saw (the certificate alerts follow it). */
  certificateNotAfter?: number;
}

/** Emitted when a service stops being monitored (deleted, or gone from the services file). */
export interface ServiceRemoved {
  serviceId: string;
  /** Its display name, which nothing else can tell once it is gone. */
  serviceName: string;
  at: number;
}

/** Typed in-process event bus of the monitoring library. */
export class MonitoringEvents {
  private readonly stateChangedSubject = new Subject<ServiceStateChanged>();
  private readonly checksStoredSubject = new Subject<StoredCheck[]>();
  private readonly adoptedSubject = new Subject<ShardAdopted>();
  private readonly serviceRemovedSubject = new Subject<ServiceRemoved>();
  readonly stateChanged$: Observable<ServiceStateChanged> = this.stateChangedSubject.asObservable();
  /** Checks this replica has just stored (the change feed tells the other replicas). */
  readonly checksStored$: Observable<StoredCheck[]> = this.checksStoredSubject.asObservable();
  /** Services this replica now works (the incident reconciler repairs what their previous owner left). */
  readonly adopted$: Observable<ShardAdopted> = this.adoptedSubject.asObservable();
  private readonly checkCompletedSubject = new Subject<CheckCompleted>();
  readonly checkCompleted$: Observable<CheckCompleted> = this.checkCompletedSubject.asObservable();
  readonly serviceRemoved$: Observable<ServiceRemoved> = this.serviceRemovedSubject.asObservable();

  emitServiceRemoved(event: ServiceRemoved): void {
    this.serviceRemovedSubject.next(event);
  }

  emitStateChanged(event: ServiceStateChanged): void {
    this.stateChangedSubject.next(event);
  }

  emitChecksStored(checks: StoredCheck[]): void {
    this.checksStoredSubject.next(checks);
  }

  emitAdopted(event: ShardAdopted): void {
    this.adoptedSubject.next(event);
  }

  emitCheckCompleted(event: CheckCompleted): void {
    this.checkCompletedSubject.next(event);
  }
}
