import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '@app/common';
import { CLUSTER_OPTIONS, clusterTiming, type ClusterOptions } from './cluster.options.js';
import { CoordinationStore, type ReplicaRecord, type SeenShard, type ShardRecord } from './cluster.ports.js';
import { ClusterView, ShardLeases, type Peer, type ShardHost } from './shard-leases.js';
import { SHARD_COUNT } from './shards.js';

interface Owned {
  epoch: number;
  /** The runner works it (fenced and restored); until then nothing of it is dispatched. */
  adopted: boolean;
  /** The runner is fencing and restoring it now. */
  adopting: boolean;
  /** A clean handover is in progress. */
  releasing: boolean;
  /**
   * About to be released: its checks are no longer admitted. Set before the release is sent (and the writes
   * admitted before it settled), so no check of ours can land after another replica claimed the shard and read
   * its history — such a late check would sit next to the new owner's catch-up check.
   */
  closing: boolean;
}

interface Observation {
  incarnation: string;
  seq: number;
  startedAt: number;
  /** Our clock when we first saw this seq: the replica is expired once it has stood still for expireMs. */
  firstSeenAt: number;
  /** Our clock when we first saw the replica at all. */
  knownSince: number;
  /**
   * We have seen its heartbeat move: it is alive for sure (a replica listed but never seen moving may be a crashed
   * one we just happen to start watching). Only these count when shares are computed.
   */
  moving: boolean;
  /**
   * Set when one of our rounds failed: we could not watch it meanwhile, so it counts as alive until we have seen
   * it stand still for a whole expiry period after we can read again.
   */
  unsure: boolean;
}

export interface ClusterStatus {
  replicaId: string;
  exclusive: boolean;
  leaseMs: number;
  liveReplicas: number;
  /** Shards this replica works. */
  shards: number[];
  /** Shards claimed but still being fenced and restored (not checked yet). */
  adopting: number[];
  /** Unconditional writes are held: the lease could not be confirmed for a while (storage unreachable). */
  holding: boolean;
  lastHeartbeatAgeMs: number | null;
  takeovers: number;
  handovers: number;
  superseded: boolean;
}

/**
 * Membership and shard leases over DynamoDB. Every round (lease/6) this replica renews its heartbeat, reads the
 * shard and replica items, expires replicas whose heartbeat it has seen standing still for lease/2 (its own clock,
 * so clock skew never shortens a lease), and balances: it claims free or orphaned shards up to its share
 * (ceil/floor of 32 / live replicas) and hands surplus shards over cleanly when another replica is short.
 * A claim is a conditional write carrying a new fencing epoch from a global counter; the runner stamps that epoch
 * on every service of the shard before working it, so a paused-then-resumed former owner can no longer write.
 * A replica that cannot renew its heartbeat for lease/3 keeps checking what it holds but holds its unconditional
 * writes (checks) until it can confirm its shards again, and claims nothing.
 */
@Injectable()
export class ReplicaCoordinator extends ClusterView implements ShardLeases {
  private readonly logger = new Logger('Cluster');
  readonly replicaId: string;
  private readonly incarnation = randomBytes(6).toString('hex');
  private readonly timing: ReturnType<typeof clusterTiming>;
  private readonly startedAt: number;
  private readonly owned = new Map<number, Owned>();
  private readonly observations = new Map<string, Observation>();
  private shardView = new Map<number, ShardRecord>();
  private replicaView = new Map<string, ReplicaRecord>();
  private viewed = false;
  private seq = 0;
  /** When the heartbeat that confirms our lease was sent (writes are admitted within lease/3 of it). */
  private lastBeatSentAt: number | null = null;
  /** When the last heartbeat that got through was sent, confirming or not. */
  private lastOkSentAt: number | null = null;
  /** After a lapse (others may have expired us): when the first heartbeat that got through again was sent. */
  private rejoinedAt: number | null = null;
  private host: ShardHost | null = null;
  private releaseHook: () => Promise<void> = () => Promise.resolve();
  private started = false;
  private stopped = false;
  private superseded = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastFailureLogAt = 0;
  private lastJanitorAt = 0;
  private readonly stats = { takeovers: 0, handovers: 0 };
  /** Adoptions and handovers run beside the rounds: the heartbeat must never wait for them. */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly store: CoordinationStore,
    @Inject(CLUSTER_OPTIONS) private readonly options: ClusterOptions,
    private readonly clock: Clock,
  ) {
    super();
    this.replicaId = options.replicaId;
    this.timing = clusterTiming(options.leaseMs);
    this.startedAt = clock.now();
  }

  get fencing(): boolean {
    return !this.options.exclusive;
  }

  attach(host: ShardHost): void {
    this.host = host;
  }

  /** Runs before a shard is released in a handover (the change feed publishes what it still holds). */
  beforeRelease(hook: () => Promise<void>): void {
    this.releaseHook = hook;
  }

  /**
   * Registers this replica and runs a first round (claims included, adoption left to the runner's load). With
   * `heartbeat`, rounds go on from here while the runner loads (a load longer than lease/2 without heartbeats
   * would let the others take over the shards just claimed, while this replica starts working them); they adopt
   * and hand over nothing until start().
   */
  async join(heartbeat = false): Promise<void> {
    const registeredAt = this.clock.now();
    await this.register();
    this.lastOkSentAt = registeredAt;
    await this.round();
    if (heartbeat) this.tickEvery();
    this.logger.log(
      `replica ${this.replicaId} joined${this.options.exclusive ? ' (exclusive storage: owns every shard)' : ''}: ` +
        `${this.liveReplicas()} live, ${this.owned.size} of ${SHARD_COUNT} shards claimed, lease ${this.options.leaseMs} ms`,
    );
  }

  private register(): Promise<void> {
    return this.store.register({
      replicaId: this.replicaId,
      incarnation: this.incarnation,
      startedAt: this.startedAt,
      heartbeatAt: this.clock.now(),
      seq: this.seq,
      leaseMs: this.options.leaseMs,
    });
  }

  /**
   * Starts the periodic rounds (after the runner has loaded and adopted what join() claimed). Specs pass false and
   * drive `round()` themselves.
   */
  start(periodic = true): void {
    this.started = true;
    if (!periodic) return;
    this.tickEvery();
    void this.round();
  }

  private tickEvery(): void {
    if (this.timer || this.stopped || this.superseded) return;
    this.timer = setInterval(() => void this.round(), this.timing.roundMs);
    this.timer.unref();
  }

  /** Settles once the adoptions and handovers started so far are done (specs, and leave()). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** A clean exit (after the runner wrote everything): frees every shard and deletes the membership item. */
  async leave(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.idle();
    if (this.superseded) return;
    for (const entry of this.owned.values()) entry.closing = true;
    if (!(await this.settled())) {
      // A write may still land: keep the shards (and our membership) so nobody claims them before our lease ends.
      this.logger.warn('left without releasing shards: writes to storage did not settle; they expire with the lease');
      this.owned.clear();
      return;
    }
    const now = this.clock.now();
    await Promise.all(
      [...this.owned].map(([shard, { epoch }]) =>
        this.store.release(shard, this.replicaId, epoch, now).catch((error: unknown) => {
          this.logger.warn(`could not release shard ${shard}: ${String(error)}`);
        }),
      ),
    );
    const released = this.owned.size;
    this.owned.clear();
    await this.store.leave(this.replicaId, this.incarnation).catch((error: unknown) => {
      this.logger.warn(`could not leave the cluster cleanly: ${String(error)}`);
    });
    this.logger.log(`left the cluster, ${released} shards released`);
  }

  // ---- ShardLeases -------------------------------------------------------------------------------------------

  /**
   * Null once a handover (or the leave) has begun: a service the catalog adds to the shard meanwhile is the next
   * owner's to check. Given the epoch, it was checked here and its result dropped at the release — a probe the
   * target saw with no stored check (the chaos run caught one, a service created during the first rebalance).
   */
  epochOf(shard: number): number | null {
    const entry = this.owned.get(shard);
    return entry?.adopted && !entry.releasing && !entry.closing ? entry.epoch : null;
  }

  claimed(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [shard, entry] of this.owned) if (!entry.adopted) out.set(shard, entry.epoch);
    return out;
  }

  adopted(shard: number, epoch: number): void {
    const entry = this.owned.get(shard);
    if (entry?.epoch === epoch) entry.adopted = true;
  }

  admit(shard: number, epoch: number): 'write' | 'hold' | 'drop' {
    const entry = this.owned.get(shard);
    if (entry?.epoch !== epoch || entry.closing) return 'drop';
    if (this.options.exclusive) return 'write';
    return this.confirmed() ? 'write' : 'hold';
  }

  lost(shard: number, epoch: number): void {
    const entry = this.owned.get(shard);
    if (entry?.epoch !== epoch) return;
    this.owned.delete(shard);
    this.logger.warn(`shard ${shard} was taken over (epoch ${epoch} is stale): no longer working it`);
    this.host?.drop(shard);
  }

  // ---- ClusterView -------------------------------------------------------------------------------------------

  liveReplicas(): number {
    return this.options.exclusive ? 1 : 1 + this.livePeers().length;
  }

  peers(): Peer[] {
    if (this.options.exclusive) return [];
    return this.livePeers().map((id) => {
      const seen = this.observations.get(id) as Observation;
      return { replicaId: id, startedAt: seen.startedAt, firstSeenAt: seen.knownSince };
    });
  }

  status(): ClusterStatus {
    const now = this.clock.now();
    return {
      replicaId: this.replicaId,
      exclusive: this.options.exclusive,
      leaseMs: this.options.leaseMs,
      liveReplicas: this.liveReplicas(),
      shards: [...this.owned]
        .filter(([, entry]) => entry.adopted)
        .map(([shard]) => shard)
        .sort((a, b) => a - b),
      adopting: [...this.owned]
        .filter(([, entry]) => !entry.adopted)
        .map(([shard]) => shard)
        .sort((a, b) => a - b),
      holding: !this.options.exclusive && !this.confirmed(),
      lastHeartbeatAgeMs: this.lastBeatSentAt === null ? null : now - this.lastBeatSentAt,
      takeovers: this.stats.takeovers,
      handovers: this.stats.handovers,
      superseded: this.superseded,
    };
  }

  // ---- the round ---------------------------------------------------------------------------------------------

  /** One round; rounds never overlap (a round still running when the timer fires is simply not repeated). */
  round(): Promise<void> {
    if (this.running || this.stopped || this.superseded) return this.running ?? Promise.resolve();
    this.running = this.roundOnce()
      .catch((error: unknown) => this.failed(error))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /**
   * A store call that gives up after lease/3: a round must end (and the next heartbeat go out) even when a request
   * hangs. A write that lands after we gave up is harmless: a heartbeat only moves forward, and a shard claimed
   * behind our back names us as its owner, which the next round re-claims under a new epoch.
   */
  private bounded<T>(call: Promise<T>, what: string): Promise<T> {
    call.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} got no answer within ${this.timing.holdAfterMs} ms`)),
        this.timing.holdAfterMs,
      );
      timer.unref();
    });
    return Promise.race([call, limit]).finally(() => clearTimeout(timer));
  }

  private async roundOnce(): Promise<void> {
    const sentAt = this.clock.now();
    this.seq += 1;
    const beat = await this.bounded(
      this.store.heartbeat(this.replicaId, this.incarnation, this.seq, sentAt),
      'the heartbeat',
    );
    if (beat === 'superseded') {
      this.supersede();
      return;
    }
    if (beat === 'missing') await this.bounded(this.register(), 'registering');
    // The others expire us once they have seen our heartbeat stand still for lease/2 (their clocks start when they
    // read it, after we sent it). A heartbeat answered later than that after the previous one came after a lapse:
    // our shards may have been taken meanwhile, and a claim decided on the old view may still be on its way.
    const lapsed =
      beat === 'missing' || this.lastOkSentAt === null || this.clock.now() - this.lastOkSentAt >= this.timing.expireMs;
    this.lastOkSentAt = sentAt;
    if (lapsed && this.rejoinedAt === null) {
      this.rejoinedAt = sentAt;
      this.logger.warn('heartbeat lapsed: holding writes until the shard leases are confirmed again');
    }
    // Shards before replicas: an owner we see in a shard item registered before it claimed, so it is listed.
    const shards = await this.bounded(this.store.shards(), 'reading the shards');
    const replicas = await this.bounded(this.store.replicas(), 'reading the replicas');
    const seenAt = this.clock.now();
    const previous = this.viewed ? this.shardView : null;
    this.shardView = new Map(shards.map((record) => [record.shard, record]));
    this.replicaView = new Map(replicas.map((record) => [record.replicaId, record]));
    this.viewed = true;
    this.observe(replicas, seenAt);
    this.noticeLost();
    // Confirmed only now, after the shard items were read (a shard taken during a lapse is dropped first), and
    // after a lapse only once claims decided before our return had time to land (their calls give up after lease/3).
    if (this.rejoinedAt === null || sentAt - this.rejoinedAt >= this.timing.holdAfterMs + this.timing.roundMs) {
      this.rejoinedAt = null;
      this.lastBeatSentAt = sentAt;
    }
    if (previous && this.started) this.noticeMoves(previous);
    await this.balance(seenAt);
    await this.releaseStrays(seenAt);
    if (this.started) {
      this.adoptPending();
      await this.janitor(seenAt);
    }
  }

  /**
   * Shards the table says are ours that we do not work (a claim or release whose answer we never got, or an
   * earlier incarnation under our REPLICA_ID) and did not claim back this round: freed, or nobody would work them.
   */
  private async releaseStrays(now: number): Promise<void> {
    if (!this.confirmed()) return;
    for (const record of this.shardView.values()) {
      if (record.owner !== this.replicaId || this.owned.has(record.shard)) continue;
      await this.bounded(
        this.store.release(record.shard, this.replicaId, record.epoch, now),
        'releasing a stray shard',
      );
    }
  }

  private inBackground(task: Promise<void>): void {
    const tracked = task.finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private failed(error: unknown): void {
    // We could not watch the others: after storage comes back, every replica must be seen standing still for a
    // whole expiry period again before it can be declared dead (nobody could heartbeat during the outage).
    for (const seen of this.observations.values()) seen.unsure = true;
    const now = this.clock.now();
    if (now - this.lastFailureLogAt >= 30_000) {
      this.lastFailureLogAt = now;
      this.logger.warn(
        `coordination round failed (${error instanceof Error ? error.message : String(error)}); ` +
          `${this.confirmed() ? 'still within the lease' : 'holding writes, claiming nothing'} until storage answers`,
      );
    }
  }

  private supersede(): void {
    this.superseded = true;
    if (this.timer) clearInterval(this.timer);
    this.logger.error(
      `another process registered as replica ${JSON.stringify(this.replicaId)}: this one stops working its shards (REPLICA_ID must be unique)`,
    );
    for (const shard of [...this.owned.keys()]) {
      this.owned.delete(shard);
      this.host?.drop(shard);
    }
  }

  /** Within the lease: the last heartbeat that succeeded was sent less than lease/3 ago. */
  private confirmed(): boolean {
    return this.lastBeatSentAt !== null && this.clock.now() - this.lastBeatSentAt < this.timing.holdAfterMs;
  }

  private observe(replicas: ReplicaRecord[], seenAt: number): void {
    const listed = new Set<string>();
    for (const replica of replicas) {
      if (replica.replicaId === this.replicaId) continue;
      listed.add(replica.replicaId);
      const seen = this.observations.get(replica.replicaId);
      if (!seen || seen.unsure || seen.seq !== replica.seq || seen.incarnation !== replica.incarnation) {
        this.observations.set(replica.replicaId, {
          incarnation: replica.incarnation,
          seq: replica.seq,
          startedAt: replica.startedAt,
          firstSeenAt: seenAt,
          knownSince: seen?.knownSince ?? seenAt,
          unsure: false,
          moving: (seen?.moving ?? false) || (seen !== undefined && seen.seq !== replica.seq),
        });
      }
    }
    for (const id of [...this.observations.keys()]) if (!listed.has(id)) this.observations.delete(id);
  }

  private expired(replicaId: string, now: number): boolean {
    const seen = this.observations.get(replicaId);
    // Not listed (it left, or was forgotten long after expiring): nobody holds a lease under that name.
    if (!seen) return true;
    return !seen.unsure && now - seen.firstSeenAt >= this.timing.expireMs;
  }

  private livePeers(): string[] {
    const now = this.clock.now();
    return [...this.observations.keys()].filter((id) => !this.expired(id, now));
  }

  /** Shards we hold whose item now names another owner or epoch: someone took them over. */
  private noticeLost(): void {
    for (const [shard, entry] of [...this.owned]) {
      const record = this.shardView.get(shard);
      if (record?.owner === this.replicaId && record.epoch === entry.epoch) continue;
      this.owned.delete(shard);
      this.logger.warn(`shard ${shard} now belongs to ${record?.owner ?? 'nobody'}: no longer working it`);
      this.host?.drop(shard);
    }
  }

  /**
   * Shards that changed hands between two of our rounds (a takeover from a crashed owner, or a takeover and a
   * handover in quick succession): our copies of their services may lack checks the previous owner stored but
   * never published, so they are reloaded from the tables.
   */
  private noticeMoves(previous: Map<number, ShardRecord>): void {
    for (const [shard, record] of this.shardView) {
      if (record.owner === this.replicaId || record.owner === null) continue;
      if (previous.get(shard)?.epoch === record.epoch) continue;
      void this.host?.resync(shard).catch((error: unknown) => {
        this.logger.warn(`resync of shard ${shard} failed: ${String(error)}`);
      });
    }
  }

  /** Starts adopting every claimed shard that is neither adopted nor being adopted (in the background). */
  private adoptPending(): void {
    const host = this.host;
    if (!host || this.stopped) return;
    for (const [shard, entry] of [...this.owned]) {
      if (entry.adopted || entry.adopting) continue;
      entry.adopting = true;
      this.inBackground(
        host
          .adopt(shard, entry.epoch, !this.options.exclusive)
          .then((result) => {
            if (this.owned.get(shard) !== entry) return;
            if (result === 'adopted') entry.adopted = true;
            else this.lost(shard, entry.epoch);
          })
          .catch((error: unknown) => {
            // Storage failed midway: nothing of the shard is dispatched yet; the next round tries again.
            this.logger.warn(`adopting shard ${shard} failed, retrying: ${String(error)}`);
          })
          .finally(() => {
            entry.adopting = false;
          }),
      );
    }
  }

  private quotaOf(replicaId: string, live: string[]): number {
    const index = live.indexOf(replicaId);
    const base = Math.floor(SHARD_COUNT / live.length);
    return base + (index >= 0 && index < SHARD_COUNT % live.length ? 1 : 0);
  }

  private async balance(now: number): Promise<void> {
    if (!this.confirmed() && !this.options.exclusive) return;
    // Shares count only replicas seen alive for sure: a replica that just booted next to the items of crashed
    // ones would otherwise take too small a share and leave freed shards unworked until those expire. Taking too
    // much is harmless (only free or orphaned shards are claimed, and the surplus is handed over).
    const live = [this.replicaId, ...this.livePeers().filter((id) => this.observations.get(id)?.moving)].sort();
    const quota = this.options.exclusive ? SHARD_COUNT : this.quotaOf(this.replicaId, live);
    const candidates = this.claimable(now, new Set(live));
    const wanted = quota - this.owned.size;
    if (wanted > 0) {
      for (const { shard, seen } of candidates.slice(0, wanted)) {
        // Taking a shard from a replica seen dead is decided on this round's view: not once that view is older
        // than a round (claims are sequential, and a slow store can stretch them; the owner may be back by now).
        const orphan = seen !== null && seen.owner !== null && seen.owner !== this.replicaId;
        if (orphan && this.clock.now() - now > this.timing.roundMs) break;
        await this.claim(shard, seen, now);
      }
      return;
    }
    // Hand over only when someone is short and there is nothing free for them to take.
    if (!this.started || wanted >= 0 || candidates.length > 0) return;
    if ([...this.owned.values()].some((entry) => !entry.adopted || entry.adopting || entry.releasing)) return;
    const counts = new Map<string, number>();
    for (const record of this.shardView.values())
      if (record.owner !== null) counts.set(record.owner, (counts.get(record.owner) ?? 0) + 1);
    const short = live
      .filter((id) => id !== this.replicaId)
      .reduce((sum, id) => sum + Math.max(0, this.quotaOf(id, live) - (counts.get(id) ?? 0)), 0);
    const surplus = [...this.owned.keys()].sort((a, b) => b - a).slice(0, Math.min(-wanted, short));
    for (const shard of surplus) this.inBackground(this.handOver(shard));
  }

  /** Free, never claimed, held by a previous incarnation of us, or held by a replica we saw die; free first. */
  private claimable(now: number, live: Set<string>): { shard: number; seen: SeenShard | null }[] {
    const free: { shard: number; seen: SeenShard | null }[] = [];
    const orphaned: { shard: number; seen: SeenShard | null }[] = [];
    // Start at a different shard per replica, so replicas booting together rarely race for the same items.
    const offset = [...this.replicaId].reduce((sum, char) => sum + char.charCodeAt(0), 0) % SHARD_COUNT;
    for (let index = 0; index < SHARD_COUNT; index += 1) {
      const shard = (index + offset) % SHARD_COUNT;
      if (this.owned.has(shard)) continue;
      const record = this.shardView.get(shard);
      if (!record) free.push({ shard, seen: null });
      else if (record.owner === null) free.push({ shard, seen: { owner: null, epoch: record.epoch } });
      else if (
        this.options.exclusive ||
        record.owner === this.replicaId ||
        (!live.has(record.owner) && this.expired(record.owner, now))
      )
        orphaned.push({ shard, seen: { owner: record.owner, epoch: record.epoch } });
    }
    return [...free, ...orphaned];
  }

  private async claim(shard: number, seen: SeenShard | null, now: number): Promise<void> {
    const epoch = await this.bounded(this.store.nextEpoch(), 'the epoch counter');
    if (!(await this.bounded(this.store.claim(shard, seen, this.replicaId, epoch, now), `claiming shard ${shard}`)))
      return;
    this.owned.set(shard, { epoch, adopted: false, adopting: false, releasing: false, closing: false });
    if (seen?.owner && seen.owner !== this.replicaId) {
      this.stats.takeovers += 1;
      this.logger.log(`took over shard ${shard} from ${seen.owner} (epoch ${epoch})`);
    }
  }

  private async handOver(shard: number): Promise<void> {
    const entry = this.owned.get(shard);
    if (!entry || !this.host) return;
    entry.releasing = true;
    try {
      await this.host.handOver(shard);
      entry.closing = true;
      if (!(await this.settled())) throw new Error('writes to storage did not settle (the next round releases it)');
      await this.releaseHook();
      if (await this.bounded(this.store.release(shard, this.replicaId, entry.epoch, this.clock.now()), 'a release')) {
        this.stats.handovers += 1;
        this.logger.log(`handed over shard ${shard} (epoch ${entry.epoch}): another replica is short of work`);
      }
    } catch (error) {
      this.logger.warn(`handing over shard ${shard} failed: ${String(error)}`);
    } finally {
      if (this.owned.get(shard) === entry) this.owned.delete(shard);
      this.host.drop(shard);
    }
  }

  /** Waits (bounded) for the check writes admitted so far; false when they did not settle in time. */
  private async settled(): Promise<boolean> {
    if (!this.host) return true;
    try {
      await this.bounded(this.host.settle(), 'settling the writes');
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes membership items that expired long ago and hold nothing (in AWS, TTL would remove them later anyway). */
  private async janitor(now: number): Promise<void> {
    if (now - this.lastJanitorAt < 60_000 || this.options.exclusive) return;
    this.lastJanitorAt = now;
    const owners = new Set([...this.shardView.values()].map((record) => record.owner));
    for (const [id, record] of this.replicaView) {
      const seen = this.observations.get(id);
      if (id === this.replicaId || owners.has(id) || !seen) continue;
      if (now - seen.firstSeenAt >= 10 * this.options.leaseMs)
        await this.bounded(this.store.forget(id, record.seq), 'forgetting a replica');
    }
  }
}
