import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/common';
import type { StoredCheck } from '../ports.js';
import { CLUSTER_OPTIONS, type ClusterOptions } from './cluster.options.js';
import {
  ChangeFeedStore,
  feedKey,
  type ClusterChange,
  type ClusterChangeKind,
  type FeedEntry,
} from './cluster.ports.js';
import { ClusterView } from './shard-leases.js';

/** An entry lands within this long of its sort key (clock skew between hosts + request latency). */
const LANDING_MS = 10_000;
/** What is replayed when a peer appears: enough to cover its boot (load) and our noticing it. */
const REPLAY_MS = 30_000;
/** Feed items expire after an hour (TTL); a replica that could not read for half of that reloads instead. */
export const FEED_RETENTION_MS = 3_600_000;
/** Checks per feed item at most (an item must stay well under DynamoDB's 400 KB). */
const MAX_CHECKS_PER_ENTRY = 2_000;
/** Checks waiting to be published at most while storage is down (oldest dropped, then a resync repairs peers). */
const MAX_PENDING_CHECKS = 100_000;

type Handler<K extends ClusterChangeKind> = (change: Extract<ClusterChange, { kind: K }>) => void | Promise<void>;

export interface FeedStats {
  published: number;
  applied: number;
  lastPollOkAt: number | null;
  pendingChecks: number;
}

/**
 * How replicas keep each other's in-memory snapshots current without a database read per HTTP request: each
 * replica appends what it changed to one time-ordered partition — the checks it finished (gathered for up to
 * `feedPublishMs`, after they were stored), and the keys of catalog, incident, lock and maintenance items it wrote
 * — and reads everyone else's every `feedPollMs`. Appends of one writer are sequential and its sort keys increase,
 * so a reader keeps one position per writer and reads each item about once. Nothing is published while no other
 * replica is alive; when one appears, the last 30 s are replayed, which covers the gap between its boot-time load
 * and our noticing it.
 */
@Injectable()
export class ChangeFeed {
  private readonly logger = new Logger('Feed');
  private readonly handlers = new Map<ClusterChangeKind, ((change: ClusterChange) => void | Promise<void>)[]>();
  private pendingChecks: StoredCheck[] = [];
  private pendingOther: ClusterChange[] = [];
  private recent: { at: number; change: ClusterChange }[] = [];
  private listening = false;
  private seq = 0;
  private lastKeyAt = 0;
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private stopped = false;
  private startedAt: number;
  private readonly positions = new Map<string, string>();
  private resyncAll: (() => Promise<void>) | null = null;
  private lastWarnAt = 0;
  readonly stats: FeedStats = { published: 0, applied: 0, lastPollOkAt: null, pendingChecks: 0 };

  constructor(
    private readonly store: ChangeFeedStore,
    private readonly cluster: ClusterView,
    @Inject(CLUSTER_OPTIONS) private readonly options: ClusterOptions,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /** Registers what to do with one kind of change made by another replica. */
  on<K extends ClusterChangeKind>(kind: K, handler: Handler<K>): void {
    const list = this.handlers.get(kind) ?? [];
    list.push((change) => handler(change as Extract<ClusterChange, { kind: K }>));
    this.handlers.set(kind, list);
  }

  /** What to do after this replica could not read the feed for longer than it is kept: reload from the tables. */
  onGap(resync: () => Promise<void>): void {
    this.resyncAll = resync;
  }

  /**
   * Starts reading from `loadedAt` (when this replica began loading its snapshot from the tables; anything
   * earlier is in what it loaded). Exclusive storage has no peers: nothing is read or written.
   */
  start(loadedAt: number): void {
    if (this.options.exclusive) return;
    this.startedAt = loadedAt;
    this.pollTimer = setInterval(() => void this.poll(), this.options.feedPollMs);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.flush();
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  // ---- publishing ---------------------------------------------------------------------------------------------

  /** Checks this replica stored: published with the next item (within feedPublishMs). */
  publishChecks(checks: StoredCheck[]): void {
    if (this.options.exclusive || checks.length === 0) return;
    const now = this.clock.now();
    this.remember({ kind: 'checks', checks }, now);
    this.pendingChecks.push(...checks);
    if (this.pendingChecks.length > MAX_PENDING_CHECKS) {
      this.pendingChecks.splice(0, this.pendingChecks.length - MAX_PENDING_CHECKS);
      this.logger.warn(`more than ${MAX_PENDING_CHECKS} checks unpublished: dropped the oldest`);
    }
    this.stats.pendingChecks = this.pendingChecks.length;
    this.schedule(this.options.feedPublishMs);
  }

  /** A stored change of a catalog, incident, lock or maintenance item: published at once. */
  publish(change: Exclude<ClusterChange, { kind: 'checks' }>): void {
    if (this.options.exclusive) return;
    this.remember(change, this.clock.now());
    this.pendingOther.push(change);
    this.schedule(0);
  }

  /** Publishes everything pending now (a handover and shutdown wait for it). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.stopped || (this.pendingChecks.length === 0 && this.pendingOther.length === 0)) return;
    this.flushing = this.flushOnce().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private remember(change: ClusterChange, now: number): void {
    this.recent.push({ at: now, change });
    while (this.recent.length > 0 && (this.recent[0] as { at: number }).at < now - REPLAY_MS) this.recent.shift();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.flushTimer && delayMs > 0) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      void this.flush().then(() => {
        if (this.pendingChecks.length > 0 || this.pendingOther.length > 0) this.schedule(this.options.feedPublishMs);
      });
    }, delayMs);
    this.flushTimer.unref();
  }

  private async flushOnce(): Promise<void> {
    const listening = this.cluster.liveReplicas() > 1;
    if (!listening) {
      // Nobody to tell; a replica that joins later loads the tables and gets the recent past replayed.
      this.listening = false;
      this.pendingChecks = [];
      this.pendingOther = [];
      this.stats.pendingChecks = 0;
      return;
    }
    if (!this.listening) {
      this.listening = true;
      const replay = this.recent.map((entry) => entry.change);
      this.pendingChecks = replay.flatMap((change) => (change.kind === 'checks' ? change.checks : []));
      this.pendingOther = replay.filter((change) => change.kind !== 'checks');
    }
    const checks = this.pendingChecks.slice(0, MAX_CHECKS_PER_ENTRY);
    const other = [...this.pendingOther];
    const changes: ClusterChange[] = [...other, ...(checks.length > 0 ? [{ kind: 'checks' as const, checks }] : [])];
    if (changes.length === 0) return;
    const at = Math.max(this.clock.now(), this.lastKeyAt + 1);
    const entry: FeedEntry = {
      sk: feedKey(at, this.cluster.replicaId, this.seq + 1),
      writer: this.cluster.replicaId,
      at,
      changes,
    };
    try {
      await this.store.append(entry);
    } catch (error) {
      this.warn(`publishing ${changes.length} changes failed, retrying: ${String(error)}`);
      return;
    }
    this.seq += 1;
    this.lastKeyAt = at;
    this.stats.published += 1;
    this.pendingChecks.splice(0, checks.length);
    this.pendingOther.splice(0, other.length);
    this.stats.pendingChecks = this.pendingChecks.length;
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  /** One read of everything the live peers appended since their positions; applies it in order. */
  async poll(): Promise<void> {
    if (this.polling || this.stopped || this.options.exclusive) return;
    this.polling = true;
    try {
      const now = this.clock.now();
      const peers = this.cluster.peers();
      if (peers.length === 0) {
        this.stats.lastPollOkAt = now;
        return;
      }
      // Anything that landed before our last successful read was read then; what landed since carries a key of at
      // least (that read - LANDING_MS). So a silent peer never holds the cursor further back than that.
      const floor = feedKey((this.stats.lastPollOkAt ?? this.startedAt) - LANDING_MS, '', 0);
      let cursor: string | null = null;
      for (const peer of peers) {
        const known = this.positions.get(peer.replicaId);
        const position =
          known === undefined
            ? // A peer we have not read yet: from when it (or we) started.
              feedKey(Math.max(Math.min(peer.startedAt, peer.firstSeenAt), this.startedAt) - LANDING_MS, '', 0)
            : known > floor
              ? known
              : floor;
        if (cursor === null || position < cursor) cursor = position;
      }
      const entries = await this.store.readAfter(cursor as string);
      const last = this.stats.lastPollOkAt;
      if (last !== null && now - last > FEED_RETENTION_MS / 2 && this.resyncAll) {
        // Items may have expired unread: what the tables hold now is the truth; what was read folds in on top.
        this.warn(`the feed was unreadable for ${Math.round((now - last) / 1000)} s: reloading from the tables`);
        await this.resyncAll();
      }
      this.stats.lastPollOkAt = now;
      for (const entry of entries) {
        if (entry.writer === this.cluster.replicaId) continue;
        const position = this.positions.get(entry.writer);
        if (position !== undefined && entry.sk <= position) continue;
        this.positions.set(entry.writer, entry.sk);
        for (const change of entry.changes) await this.apply(change);
      }
    } catch (error) {
      this.warn(`reading the change feed failed: ${String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  /** At most one warning per 30 s: while storage is down every poll and publish fails. */
  private warn(message: string): void {
    const now = this.clock.now();
    if (now - this.lastWarnAt < 30_000) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }

  private async apply(change: ClusterChange): Promise<void> {
    for (const handler of this.handlers.get(change.kind) ?? []) {
      try {
        await handler(change);
        this.stats.applied += 1;
      } catch (error) {
        this.logger.warn(`applying a ${change.kind} change failed: ${String(error)}`);
      }
    }
  }
}
