import type { ServiceState } from '@app/contracts';
import type { MonitoredService } from './catalog/service-definition.js';

/** What other libraries may know of a monitored service: its definition, its evaluated state, its last error. */
export interface ServiceView {
  service: MonitoredService;
  /** As evaluated from the checks (maintenance is not a state the runner evaluates). */
  state: Exclude<ServiceState, 'maintenance'>;
  /** Error of the most recent check, null when it succeeded or there was none. */
  lastError: string | null;
  /** Why the probe refuses this service's target (policy), null when it does not: shown to admins only. */
  misconfigured?: string | null;
}

/**
 * The runner's narrow read API (MonitorService implements it). Incidents and the admin views read services through
 * this, never the runner's runtimes, so the runner can change how it keeps them.
 */
export abstract class MonitorView {
  abstract find(id: string): ServiceView | undefined;
  abstract list(): ServiceView[];
  /** Settles once the state `find` reports is stored: act on a state only when a restart would see it too. */
  abstract durable(id: string): Promise<void>;
}
