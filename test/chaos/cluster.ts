import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startApp, type AppProcess } from '../support/app-process.js';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * dynalite as a process of its own (bench/dynalite-server.mjs, in memory), so the replicas reach it over the
 * DynamoDB wire protocol and an outage can be staged: SIGSTOP freezes it (connections open, requests hang, as
 * in a network partition), SIGCONT resumes it with everything it held.
 */
export class DynamoProcess {
  endpoint = '';
  private child: ChildProcess | null = null;

  async start(): Promise<this> {
    const port = await freePort();
    const child = spawn(process.execPath, [resolve('bench/dynalite-server.mjs'), '-', String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    });
    this.child = child;
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error('dynalite did not start in 10 s')), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (/READY \d+/.test(chunk.toString())) {
          clearTimeout(timer);
          done();
        }
      });
      child.once('exit', (code) => fail(new Error(`dynalite exited with ${code}`)));
    });
    this.endpoint = `http://127.0.0.1:${port}`;
    return this;
  }

  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));
  }
}

/** One process that ever ran in a replica slot, and what became of it. */
export interface ReplicaRun {
  slot: number;
  replicaId: string;
  startedAt: number;
  endedAt: number | null;
  ending: 'running' | 'SIGKILL' | 'SIGTERM';
  cleanStop: boolean | null;
  output: () => string;
}

/**
 * N replica slots of the compiled app on one DynamoDB, each restartable: `kill` is SIGKILL (no shutdown hook runs),
 * `restart` is a clean SIGTERM then a new process. Every process that ever ran is kept in `runs` (its log counts
 * takeovers; its times excuse what a kill lost).
 */
export class ReplicaCluster {
  readonly runs: ReplicaRun[] = [];
  private readonly apps: (AppProcess | null)[];
  private readonly current: (ReplicaRun | null)[];
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'status-chaos-'));

  constructor(
    readonly size: number,
    private readonly env: Record<string, string>,
  ) {
    this.apps = Array.from({ length: size }, () => null);
    this.current = Array.from({ length: size }, () => null);
  }

  async start(slot: number): Promise<void> {
    const app = await startApp({
      servicesYaml: 'services: []\n',
      dataDir: this.dataDir,
      env: this.env,
      healthyWithinMs: 60_000,
    });
    const health = (await (await fetch(`${app.baseUrl}/api/health`)).json()) as {
      details: { cluster: { replicaId: string } };
    };
    this.apps[slot] = app;
    const run: ReplicaRun = {
      slot,
      replicaId: health.details.cluster.replicaId,
      startedAt: Date.now(),
      endedAt: null,
      ending: 'running',
      cleanStop: null,
      output: () => app.output(),
    };
    this.current[slot] = run;
    this.runs.push(run);
  }

  async startAll(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, (_, slot) => this.start(slot)));
  }

  /** SIGKILL: the process dies with whatever it had in memory. */
  async kill(slot: number): Promise<ReplicaRun> {
    const app = this.apps[slot];
    const run = this.current[slot];
    if (!app || !run) throw new Error(`slot ${slot} is not running`);
    run.endedAt = Date.now();
    run.ending = 'SIGKILL';
    await app.kill();
    this.apps[slot] = null;
    this.current[slot] = null;
    return run;
  }

  /** SIGTERM: the process writes what it buffered, hands its shards over and leaves. */
  async stop(slot: number): Promise<void> {
    const app = this.apps[slot];
    const run = this.current[slot];
    if (!app || !run) return;
    run.endedAt = Date.now();
    run.ending = 'SIGTERM';
    run.cleanStop = await app.stop();
    this.apps[slot] = null;
    this.current[slot] = null;
  }

  async stopAll(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, (_, slot) => this.stop(slot)));
  }

  /** Last resort (afterAll): every process still alive is killed. */
  async destroy(): Promise<void> {
    await Promise.all(this.apps.flatMap((app) => (app ? [app.kill()] : [])));
  }

  running(slot: number): boolean {
    return this.apps[slot] !== null;
  }

  baseUrl(slot: number): string {
    const app = this.apps[slot];
    if (!app) throw new Error(`slot ${slot} is not running`);
    return app.baseUrl;
  }

  runningSlots(): number[] {
    return this.apps.flatMap((app, slot) => (app ? [slot] : []));
  }

  /**
   * Waits until every running replica reports `replicas` live ones, all 32 shards are worked (adopted) and the
   * shares are balanced (within one of each other: 11/11/10 for three; 12/10/10 still has a handover to come).
   */
  async settled(replicas: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(
        this.runningSlots().map(async (slot) => {
          try {
            const response = await fetch(`${this.baseUrl(slot)}/api/health`);
            const body = (await response.json()) as {
              details?: { cluster?: { liveReplicas: number; shards: number[]; adopting: number[] } };
            };
            return body.details?.cluster ?? null;
          } catch {
            return null;
          }
        }),
      );
      const owned = views.reduce((sum, view) => sum + (view?.shards.length ?? 0), 0);
      const counts = views.map((view) => view?.shards.length ?? 0);
      // Balanced too: a replica below its share is about to receive handovers (released, not yet claimed).
      const settled =
        views.every(
          (view) =>
            view?.liveReplicas === replicas &&
            view.adopting.length === 0 &&
            view.shards.length >= Math.floor(32 / replicas),
        ) && Math.max(...counts) - Math.min(...counts) <= 1;
      if (settled && owned === 32) return true;
      await sleep(250);
    }
    return false;
  }
}
