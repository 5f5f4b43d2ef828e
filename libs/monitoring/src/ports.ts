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

/** How a conditional rollup write ended: stored, lost to a concurrent writer, or refused by a newer epoch. */
export type RollupWrite = 'saved' | 'conflict' | 'fenced';

/**
 * Port: per service, the evaluation state and the daily rollups (one table in AWS, so that one query at boot
 * returns both). Writes carry the fencing epoch of the replica working the service's shard: an item stamped with
 * a newer epoch refuses them (the shard was taken over).
 */
export abstract class StateAndRollupStore {
  /** The service's state item and its rollups for days >= fromDay. */
  abstract load(serviceId: string, fromDay: string): Promise<{ state: EvaluationState | null; rollups: DailyRollup[] }>;
  /**
   * The evaluation state (streak counters included) so a restart resumes exactly where it was; false when a newer
   * epoch owns the service.
   */
  abstract saveState(serviceId: string, state: EvaluationState, epoch: number): Promise<boolean>;
  /**
   * Writes a rollup only if the stored copy is still the one we started from (its `through` equals
   * `expectedThrough`, or it has none when null) and no newer epoch owns it.
   */
  abstract saveRollup(rollup: DailyRollup, expectedThrough: number | null, epoch: number): Promise<RollupWrite>;
  /**
   * Stamps `epoch` on the service's state item and on its rollup of `day` (creating them empty if needed), so an
   * older owner's later writes fail; false when a newer epoch is already there.
   */
  abstract fence(serviceId: string, day: string, epoch: number): Promise<boolean>;
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
  /** One stored definition, unvalidated (strongly consistent); null when it does not exist. */
  abstract get(id: string): Promise<StoredServiceDefinition | null>;
  /** Fails with ConflictError when the id exists. */
  abstract create(definition: ServiceDefinition): Promise<void>;
  /** Fails with NotFoundError when the id does not exist. */
  abstract replace(definition: ServiceDefinition): Promise<void>;
  abstract delete(id: string): Promise<boolean>;
}
