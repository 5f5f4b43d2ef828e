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

/** Typed in-process event bus of the monitoring library. */
export class MonitoringEvents {
  private readonly stateChangedSubject = new Subject<ServiceStateChanged>();
  readonly stateChanged$: Observable<ServiceStateChanged> = this.stateChangedSubject.asObservable();

  emitStateChanged(event: ServiceStateChanged): void {
    this.stateChangedSubject.next(event);
  }
}
