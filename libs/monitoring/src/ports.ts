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
  /** Why a success counted as degraded ("certificate expires in 3 days"). */
  warning?: string;
  /** Epoch ms notAfter of the leaf certificate the check saw. */
  certificateNotAfter?: number;
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

/** What is stored for one service: its evaluation state (null when none) and its rollups, oldest day first. */
export interface StoredServiceState {
  state: EvaluationState | null;
  /** The rollups read day by day; with `finishedRollups`, the days after those (`storedRollups` gives them all). */
  rollups: DailyRollup[];
  /**
   * When the rollups came (partly) from the stored copy of the finished days (`saveFinishedDays`): the day it was
   * complete through. Absent when they were read day by day.
   */
  finishedThrough?: string;
  /**
   * The days taken from that copy, all before `rollups`' days, decoded by each call into new objects: a boot holds
   * every service's read until that service is restored, and 10,000 services × 88 days as rollup objects are
   * ~400 MB where the copies' stored text is ~53 MB. Absent when the store decoded them into `rollups`.
   */
  finishedRollups?: () => DailyRollup[];
}

/** Every rollup of a stored read, oldest day first (the copy's days decoded, new objects). */
export function storedRollups(stored: StoredServiceState): DailyRollup[] {
  return stored.finishedRollups === undefined ? stored.rollups : [...stored.finishedRollups(), ...stored.rollups];
}

/** One service's rollup of one day. */
export interface RollupKey {
  serviceId: string;
  day: string;
}

/** How a conditional rollup write ended: stored, lost to a concurrent writer, or refused by a newer epoch. */
export type RollupWrite = 'saved' | 'conflict' | 'fenced';

/**
 * Port: per service, the evaluation state and the daily rollups (one table in AWS, so that one Query per service,
 * or one Scan for every service at boot, returns both). Writes carry the fencing epoch of the replica working the service's shard: an item stamped with
 * a newer epoch refuses them (the shard was taken over).
 */
export abstract class StateAndRollupStore {
  /** The service's state item and its rollups for days >= fromDay. */
  abstract load(serviceId: string, fromDay: string): Promise<StoredServiceState>;
  /**
   * Every service's state and rollups for days >= fromDay (boot). Services with nothing stored are absent. Without
   * `hourSlots` the store may leave the rollups' hour slots unread (empty lists; `loadRollups` reads the days that
   * show them). With `serviceIds` (the catalog) the store may read just those services by key — each
   * one's stored finished days (`saveFinishedDays`) and the days after them — instead of one pass over every item
   * kept (a parallel Scan in DynamoDB, which reads every day of every service whatever it keeps).
   */
  abstract loadAll(
    fromDay: string,
    hourSlots?: boolean,
    serviceIds?: readonly string[],
  ): Promise<Map<string, StoredServiceState>>;
  /** The stored rollups of these services and days, whole; absent ones are left out (order not kept). */
  abstract loadRollups(keys: readonly RollupKey[]): Promise<DailyRollup[]>;
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
   * Stamps `epoch` on the service's state item and on its rollups of `days` (creating them empty if needed), so an
   * older owner's later writes to them fail. Returns those items as the stamp left them: the state and the days'
   * whole rollups as any older owner last wrote them, which none can change any more (what is absent was never
   * stored). Null when a newer epoch is already on one of them.
   */
  abstract fence(serviceId: string, days: readonly string[], epoch: number): Promise<StoredServiceState | null>;
  /**
   * One copy of the service's finished days in one item, so a boot reads a few items per service instead of one
   * per day kept: `days` are exactly the stored rollups (hour slots left out) of every day from the history's
   * first through `through`, a day without a stored rollup being a day without one. Written by the shard's owner
   * once a day; false when a newer epoch owns the service.
   */
  abstract saveFinishedDays(
    serviceId: string,
    days: readonly DailyRollup[],
    through: string,
    epoch: number,
  ): Promise<boolean>;
  /**
   * Forgets that copy before a rollup of a day it may hold is written again (a late check), so a boot never reads
   * the old one; false when a newer epoch owns the service.
   */
  abstract dropFinishedDays(serviceId: string, epoch: number): Promise<boolean>;
  abstract remove(serviceId: string): Promise<void>;
  /**
   * Records a clean stop of the only runner on this storage: every check it took is stored and every rollup written
   * through its newest stored check, so each service's newest rollup `through` is its last check.
   */
  abstract markCleanStop(at: number): Promise<void>;
  /** Reads and deletes that record in one request: when the clean stop was, or null (never, or a crash since). */
  abstract takeCleanStop(): Promise<number | null>;
}

/** The status page as last stored: when it was built and its JSON, brotli-compressed. */
export interface StoredPage {
  at: number;
  body: Buffer;
}

/**
 * Port: the last built status page, stored whole so a boot can serve it before its own read of every service is
 * done (`StoredPageService`). One page per install, whichever replica wrote it last.
 */
export abstract class PageStore {
  /** The stored page, or null (none stored, or not whole). */
  abstract load(): Promise<StoredPage | null>;
  /** Stores the page unless one built at or after `page.at` is stored already; false then. */
  abstract save(page: StoredPage): Promise<boolean>;
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

/** The last ping of a heartbeat service, as one item in storage (written by whichever replica took the ping). */
export interface HeartbeatRecord {
  /** SHA-256 hex of the token pings must present. */
  tokenHash: string;
  /** Epoch ms the token was first set (a new service has until then + interval + grace for its first ping). */
  createdAt: number;
  lastPingAt: number | null;
  lastStatus: 'ok' | 'fail' | null;
  lastMessage: string | null;
}

export interface HeartbeatPing {
  at: number;
  status: 'ok' | 'fail';
  /** Up to 200 characters from `?msg=`, control characters removed; null when none. */
  message: string | null;
}

/** Port: heartbeat tokens and last pings, one item per service; every write is a single-item (conditional) update. */
export abstract class HeartbeatStore {
  /** Sets the token hash pings must present (a rotation makes the old token fail at once); keeps createdAt. */
  abstract setToken(serviceId: string, tokenHash: string, now: number): Promise<void>;
  /** Records a ping only if `tokenHash` is the current one; false when it is not (or the service has none). */
  abstract recordPing(serviceId: string, tokenHash: string, ping: HeartbeatPing): Promise<boolean>;
  abstract get(serviceId: string): Promise<HeartbeatRecord | null>;
}
