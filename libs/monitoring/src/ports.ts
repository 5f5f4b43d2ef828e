import type { EvaluationState } from './evaluation/evaluate.js';
import type { DailyRollup } from './history/rollup.js';
import type { ServiceDefinition, ServiceState } from '@app/contracts';

/** One check result as stored: the probe's outcome plus the state it produced. */
export interface StoredCheck {
  serviceId: string;
  at: number;
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: string;
  state: ServiceState;
  maintenance: boolean;
}

/** Port: append-only check history (the DynamoDB adapter batches writes; TTL from retention). */
export abstract class CheckStore {
  abstract append(checks: StoredCheck[]): Promise<void>;
  /** Newest first. */
  abstract recent(serviceId: string, limit: number): Promise<StoredCheck[]>;
  /** Oldest first, strictly after `afterMs`. */
  abstract since(serviceId: string, afterMs: number): Promise<StoredCheck[]>;
}

/**
 * Port: per service, the evaluation state and the daily rollups (one table in AWS, so that one query at boot
 * returns both).
 */
export abstract class StateAndRollupStore {
  /** The service's state item and its rollups for days >= fromDay. */
  abstract load(serviceId: string, fromDay: string): Promise<{ state: EvaluationState | null; rollups: DailyRollup[] }>;
  /** The evaluation state (streak counters included) so a restart resumes exactly where it was. */
  abstract saveState(serviceId: string, state: EvaluationState): Promise<void>;
  /**
   * Writes a rollup only if the stored copy is still the one we started from (its `through` equals
   * `expectedThrough`, or it does not exist when null). Returns false when someone else wrote it meanwhile.
   */
  abstract saveRollup(rollup: DailyRollup, expectedThrough: number | null): Promise<boolean>;
  abstract remove(serviceId: string): Promise<void>;
}

/** A stored service as read back: the definition is not trusted until the catalog has validated it. */
export interface StoredServiceDefinition {
  id: string;
  /** The parsed definition, or the stored text when it is not JSON. */
  definition: unknown;
}

/** Port: services created through the admin API (services from the file are never stored). */
export abstract class CatalogStore {
  /** Every stored definition, unvalidated: an item may predate fields added since, or be damaged. */
  abstract list(): Promise<StoredServiceDefinition[]>;
  /** Fails with ConflictError when the id exists. */
  abstract create(definition: ServiceDefinition): Promise<void>;
  /** Fails with NotFoundError when the id does not exist. */
  abstract replace(definition: ServiceDefinition): Promise<void>;
  abstract delete(id: string): Promise<boolean>;
}
