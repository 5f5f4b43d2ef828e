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
  /** True when this replica works the service (its shard is ours): only the owner acts on its state. */
  abstract owns(id: string): boolean;
  /**
   * Settles once no write of the service's state is in flight: true when the state `find` reports is stored by
   * this replica as the service's owner. Act on a state only then, when a restart or a new owner would see it too.
   */
  abstract durable(id: string): Promise<boolean>;
}
