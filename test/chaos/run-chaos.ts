import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StatusResponse } from '@app/contracts';
import { SlackReceiver } from '../support/slack-receiver.js';
import { SnsReceiver } from '../support/sns-receiver.js';
import { TargetServer } from '../support/targets.js';
import {
  alertsPerTransition,
  closestPair,
  doublePairs,
  downPeriods,
  gaps,
  incidentsPerPeriod,
  matchHits,
  splitFencedDoubles,
  table,
  type IncidentRow,
  type Window,
} from './analysis.js';
import { DynamoProcess, ReplicaCluster, type ReplicaRun } from './cluster.js';

/** How long and how hard: the short form runs inside `npm test`, the long one is `npm run chaos`. */
export interface ChaosPlan {
  name: 'short' | 'long';
  services: number;
  intervalSeconds: number;
  leaseSeconds: number;
  /** SIGKILL loop before and after the outage. */
  phaseAMs: number;
  phaseBMs: number;
  /** A random replica is SIGKILLed every killEveryMs ± 25 %, restarted after restartAfterMs. */
  killEveryMs: number;
  restartAfterMs: number;
  /** dynalite frozen (SIGSTOP) for this long, mid-run; then this long to recover before kills resume. */
  outageMs: number;
  recoveryMs: number;
  /** A target flips between up and down every flipEveryMs; a state is held at least minHoldMs. */
  flipEveryMs: number;
  minHoldMs: number;
}

export const SHORT_PLAN: ChaosPlan = {
  name: 'short',
  services: 8,
  intervalSeconds: 2,
  leaseSeconds: 6,
  phaseAMs: 20_000,
  phaseBMs: 14_000,
  killEveryMs: 9_000,
  restartAfterMs: 3_000,
  outageMs: 15_000,
  recoveryMs: 8_000,
  flipEveryMs: 2_500,
  minHoldMs: 14_000,
};

export const LONG_PLAN: ChaosPlan = {
  name: 'long',
  services: 16,
  intervalSeconds: 5,
  leaseSeconds: 15,
  phaseAMs: 80_000,
  phaseBMs: 80_000,
  killEveryMs: 20_000,
  restartAfterMs: 5_000,
  outageMs: 60_000,
  recoveryMs: 15_000,
  flipEveryMs: 6_000,
  minHoldMs: 30_000,
};

export interface ChaosReport {
  plan: ChaosPlan;
  durationSeconds: number;
  kills: number;
  restarts: number;
  takeovers: number;
  handovers: number;
  checks: number;
  targetHits: number;
  inFlightAtKill: number;
  lost: { serviceId: string; at: number }[];
  phantom: { serviceId: string; at: number }[];
  doubleChecks: { serviceId: string; at: number; previous: number }[];
  /** The two stored checks of one service closest in time (the margin the doubleChecks rule had). */
  closest: { serviceId: string; at: number; gapMs: number } | null;
  /** Two target hits < interval/2 apart whose checks were both stored (their starts are judged by doubleChecks). */
  doubleProbes: { serviceId: string; at: number }[];
  /** Double hits at an ownership change where one probe's result was fenced (never stored or counted). */
  fencedDoubleProbes: { serviceId: string; at: number }[];
  rollupMismatches: { serviceId: string; rollups: number; checks: number }[];
  gapBoundMs: number;
  maxGapMs: number;
  maxGapService: string | null;
  maxGapDuringOutageMs: number;
  gapsOverBound: { serviceId: string; from: number; to: number }[];
  outage: Window;
  settledAtFreeze: boolean;
  outageStatus: { slot: number; ok: boolean; services: number; stale: number; checkedHere: number }[];
  downPeriods: number;
  incidents: number;
  incidentMismatches: { serviceId: string; from: number; incidents: number }[];
  strayIncidents: string[];
  unresolvedIncidents: string[];
  slackMessages: number;
  snsMessages: number;
  alertErrors: string[];
  rollingRestartAlerts: number;
  rollingRestartMaxGapMs: number;
  convergenceMs: number | null;
  uncleanStops: number;
  summary: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:chaos-alerts';
/** Every service's failure and recovery threshold (consecutive checks). */
const THRESHOLD = 2;
const INCIDENT_ID = /inc-[a-z0-9]+-[a-z0-9]+/;

type Plain = string | number | boolean | null | Plain[] | { [name: string]: Plain };
function plain(value: AttributeValue): Plain {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plain(v)]));
  return null;
}

const text = (value: Plain | undefined): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

async function scan(client: DynamoDBClient, table: string): Promise<Record<string, Plain>[]> {
  const items: Record<string, Plain>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? [])
      items.push(Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plain(value)])));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Everything that must be stopped if the run fails midway. */
export interface ChaosResources {
  cluster?: ReplicaCluster;
  dynamo?: DynamoProcess;
  targets?: TargetServer;
  slack?: SlackReceiver;
  sns?: SnsReceiver;
}

export async function releaseResources(resources: ChaosResources): Promise<void> {
  await resources.cluster?.destroy();
  await resources.dynamo?.stop();
  await Promise.all([resources.targets?.stop(), resources.slack?.stop(), resources.sns?.stop()]);
}

/**
 * The chaos run: dynalite as its own process, three replicas of the compiled app on it, local targets flipping
 * between up and down, local Slack and SNS receivers; replicas SIGKILLed and restarted, dynalite frozen mid-run,
 * a rolling restart; then every claim is checked from the tables and the receivers.
 */
export async function runChaos(
  plan: ChaosPlan,
  resources: ChaosResources,
  log: (line: string) => void,
): Promise<ChaosReport> {
  const started = Date.now();
  const t = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s`;
  const timeline: string[] = [];
  const say = (line: string) => {
    const stamped = `[chaos ${t()}] ${line}`;
    timeline.push(`${new Date().toISOString()} ${stamped}`);
    log(stamped);
  };
  const intervalMs = plan.intervalSeconds * 1000;
  const leaseMs = plan.leaseSeconds * 1000;

  const targets = (resources.targets = await new TargetServer().start());
  targets.recordTimes = true;
  const slack = (resources.slack = await new SlackReceiver().start());
  const sns = (resources.sns = await new SnsReceiver().start());
  const dynamo = (resources.dynamo = await new DynamoProcess().start());
  const token = `sp_${randomBytes(24).toString('base64url')}`;
  const prefix = `chaos-${randomBytes(3).toString('hex')}-`;
  const cluster = (resources.cluster = new ReplicaCluster(3, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'chaos',
    AWS_SECRET_ACCESS_KEY: 'chaos',
    AWS_REGION: 'us-east-1',
    DYNAMODB_TABLE_PREFIX: prefix,
    AWS_ENDPOINT_URL_SNS: sns.url,
    SNS_TOPIC_ARN: TOPIC,
    SLACK_WEBHOOK_URL: slack.url,
    ALERT_RETRY_MIN: '500ms',
    ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex'),
    REPLICA_LEASE: `${plan.leaseSeconds}s`,
    PUBLIC_BASE_URL: 'https://status.example.com',
    LOG_FORMAT: 'text',
  }));
  const admin = async (slot: number, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${cluster.baseUrl(slot)}/api/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  };

  // ---- boot: three replicas, the services created through one of them (the others learn them from the feed) ----
  await cluster.startAll();
  const ids = Array.from({ length: plan.services }, (_, index) => `svc-${String(index).padStart(2, '0')}`);
  for (const id of ids) targets.set(id, 'ok');
  // When each service existed: from then on some replica must check it (it is created while the shards move).
  const createdAt = new Map<string, number>();
  for (const id of ids) {
    await admin(0, 'POST', '/services', {
      id,
      name: `Service ${id}`,
      url: targets.url(`/t/${id}`),
      interval: `${plan.intervalSeconds}s`,
      timeout: '1s',
      failureThreshold: THRESHOLD,
      recoveryThreshold: THRESHOLD,
    });
    createdAt.set(id, Date.now());
  }
  const settled = await cluster.settled(3, 30_000);
  say(`3 replicas up, ${plan.services} services created, shards ${settled ? 'balanced' : 'NOT balanced'}`);

  // ---- the chaos loop ----
  const kills: ReplicaRun[] = [];
  let restarts = 0;
  const flips: { serviceId: string; at: number; mode: 'ok' | 'fail' }[] = [];
  const lastFlip = new Map<string, number>(ids.map((id) => [id, Date.now()]));
  const mode = new Map<string, 'ok' | 'fail'>(ids.map((id) => [id, 'ok']));
  const restarting: Promise<void>[] = [];
  const flip = () => {
    const now = Date.now();
    const ready = ids.filter((id) => now - (lastFlip.get(id) as number) >= plan.minHoldMs);
    const id = ready[Math.floor(Math.random() * ready.length)];
    if (!id) return;
    const next = mode.get(id) === 'ok' ? 'fail' : 'ok';
    targets.set(id, next);
    mode.set(id, next);
    lastFlip.set(id, now);
    flips.push({ serviceId: id, at: now, mode: next });
  };
  const chaos = async (durationMs: number) => {
    const end = Date.now() + durationMs;
    const jitter = () => plan.killEveryMs * (0.75 + Math.random() / 2);
    let nextKill = Date.now() + jitter();
    let nextFlip = Date.now() + plan.flipEveryMs;
    while (Date.now() < end) {
      if (Date.now() >= nextFlip) {
        flip();
        nextFlip += plan.flipEveryMs;
      }
      const alive = cluster.runningSlots();
      if (Date.now() >= nextKill && alive.length === cluster.size) {
        const slot = alive[Math.floor(Math.random() * alive.length)] as number;
        const run = await cluster.kill(slot);
        kills.push(run);
        say(`SIGKILL replica ${run.replicaId} (slot ${slot}); restart in ${plan.restartAfterMs / 1000} s`);
        restarting.push(
          sleep(plan.restartAfterMs).then(async () => {
            await cluster.start(slot);
            restarts += 1;
          }),
        );
        nextKill = Date.now() + jitter();
      }
      await sleep(100);
    }
    await Promise.all(restarting.splice(0));
  };

  await chaos(plan.phaseAMs);
  // Freeze a settled cluster: a shard claimed but not yet restored when storage dies cannot be checked until it is
  // back (reported below as `unsettledAtFreeze`), which is not what this phase is about.
  // Who checks what cannot change while DynamoDB is frozen (nobody can claim): read it just before, and again
  // while the replicas' counts do not add up to every service (a handover between the settle and this read).
  const freezeBy = Date.now() + 20_000;
  let settledAtFreeze = false;
  let checkedBefore = new Map<number, number>();
  while (Date.now() < freezeBy) {
    settledAtFreeze = await cluster.settled(3, Math.max(0, freezeBy - Date.now()));
    checkedBefore = new Map(
      await Promise.all(
        cluster.runningSlots().map(async (slot) => {
          const health = (await (await fetch(`${cluster.baseUrl(slot)}/api/health`)).json()) as {
            details?: { cluster?: { checkedServices: number } };
          };
          return [slot, health.details?.cluster?.checkedServices ?? -1] as const;
        }),
      ),
    );
    if (!settledAtFreeze || [...checkedBefore.values()].reduce((sum, count) => sum + count, 0) === plan.services) break;
    settledAtFreeze = false;
  }

  // ---- storage outage: dynalite frozen; replicas keep serving and checking ----
  say(`freezing dynalite for ${plan.outageMs / 1000} s`);
  const outage: Window = { from: Date.now(), to: 0 };
  dynamo.freeze();
  // Sampled once a service not checked here has gone unheard for 2 intervals + the lease (it shows stale then).
  await sleep(Math.max(0, 2 * intervalMs + leaseMs + 1_000));
  const outageStatus = await Promise.all(
    cluster.runningSlots().map(async (slot) => {
      try {
        const response = await fetch(`${cluster.baseUrl(slot)}/api/status`, { signal: AbortSignal.timeout(1_500) });
        const body = (await response.json()) as StatusResponse;
        return {
          slot,
          ok: response.ok,
          services: body.services.length,
          stale: body.services.filter((service) => service.stale).length,
          checkedHere: checkedBefore.get(slot) ?? -1,
        };
      } catch {
        return { slot, ok: false, services: 0, stale: 0, checkedHere: -1 };
      }
    }),
  );
  await sleep(plan.outageMs - (Date.now() - outage.from));
  dynamo.thaw();
  outage.to = Date.now();
  say(`dynalite back; status during the outage: ${JSON.stringify(outageStatus)}`);
  await sleep(plan.recoveryMs);

  await chaos(plan.phaseBMs);

  // ---- rolling restart: targets steady, nothing may page ----
  // Every outage runs its full minimum (a shorter one might end before it is detected, which proves nothing).
  for (const id of ids
    .filter((one) => mode.get(one) === 'fail')
    .sort((a, b) => (lastFlip.get(a) as number) - (lastFlip.get(b) as number))) {
    await sleep(Math.max(0, (lastFlip.get(id) as number) + plan.minHoldMs - Date.now()));
    targets.set(id, 'ok');
    mode.set(id, 'ok');
    flips.push({ serviceId: id, at: Date.now(), mode: 'ok' });
  }
  // Quiet for longer than a recovery takes (the interval until the first OK check, THRESHOLD checks, slack): a
  // shorter wait let the long run's last resolution (10 s at 5 s intervals) land in the rolling restart.
  await waitQuiet(slack, sns, Math.max(8_000, (THRESHOLD + 1) * intervalMs + 2_000), 60_000);
  const alertsBeforeRolling = slack.messages.length + sns.messages.length;
  const rollingFrom = Date.now();
  say('rolling restart (SIGTERM one replica at a time)');
  for (let slot = 0; slot < cluster.size; slot += 1) {
    await cluster.stop(slot);
    await cluster.start(slot);
    restarts += 1;
    await sleep((leaseMs / 6) * 2);
  }
  await cluster.settled(3, 30_000);
  const rollingTo = Date.now();
  await sleep(intervalMs * 2);
  const rollingRestartAlerts = slack.messages.length + sns.messages.length - alertsBeforeRolling;

  // ---- the end: everything up, incidents resolved and delivered, then every service paused through one replica ----
  await waitQuiet(slack, sns, 5_000, 30_000);
  say('pausing every service through replica 1; waiting for every replica to show the same page');
  const pausingFrom = Date.now();
  for (const id of ids) await admin(1, 'PATCH', `/services/${id}`, { paused: true });
  const pausedAt = Date.now();
  const convergence = await converge(cluster, pausedAt, 20_000);
  const convergenceMs = convergence.ms;
  say(
    `status pages equal ${convergenceMs === null ? `NEVER (20 s); last difference:\n   ${convergence.difference}` : `after ${convergenceMs} ms`}`,
  );

  await cluster.stopAll();
  const uncleanStops = cluster.runs.filter((run) => run.ending === 'SIGTERM' && run.cleanStop === false).length;

  // ---- evidence: tables and receivers ----
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const [checkItems, stateItems, incidentItems] = await Promise.all([
    scan(client, `${prefix}checks`),
    scan(client, `${prefix}state`),
    scan(client, `${prefix}incidents`),
  ]);
  client.destroy();

  const stored = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const item of checkItems) stored.get(text(item.serviceId))?.push(Number(item.at));
  for (const list of stored.values()) list.sort((a, b) => a - b);
  const hits = new Map<string, number[]>(ids.map((id) => [id, [...(targets.hitTimes.get(`/t/${id}`) ?? [])]]));

  const rollupTotals = new Map<string, number>();
  for (const item of stateItems) {
    if (!text(item.key).startsWith('day#') || item.total === undefined) continue;
    const id = text(item.serviceId);
    rollupTotals.set(id, (rollupTotals.get(id) ?? 0) + Number(item.total) + Number(item.maintenance ?? 0));
  }
  const rollupMismatches = ids
    .map((id) => ({ serviceId: id, rollups: rollupTotals.get(id) ?? 0, checks: stored.get(id)?.length ?? 0 }))
    .filter((row) => row.rollups !== row.checks);

  const gapBoundMs = leaseMs + intervalMs;
  // From its creation to the pause at the end, not only between stored checks: a service nobody checks from some
  // moment on (or ever) leaves no gap between two checks, only after its last one.
  const checkedSpan = new Map(
    [...stored].map(([id, list]) => [id, [createdAt.get(id) as number, ...list, pausingFrom].sort((a, b) => a - b)]),
  );
  const gapReport = gaps(checkedSpan, { from: outage.from, to: outage.to + plan.recoveryMs }, gapBoundMs);
  // Gaps that overlap the rolling restart (including the last check before it and the first after).
  const rollingGaps = gaps(
    new Map(
      [...stored].map(([id, list]) => {
        const first = Math.max(0, list.findIndex((at) => at >= rollingFrom) - 1);
        const after = list.findIndex((at) => at > rollingTo);
        return [id, list.slice(first, after === -1 ? undefined : after + 1)];
      }),
    ),
    null,
    gapBoundMs,
  );
  const killTimes = kills.map((run) => run.endedAt as number);
  const hitMatch = matchHits(hits, stored, killTimes, 1_500, 2_500);

  const incidents: IncidentRow[] = incidentItems
    .filter((item) => text(item.pk).startsWith('incident#'))
    .map(
      (item) =>
        JSON.parse(text(item.data)) as {
          id: string;
          serviceIds: string[];
          startedAt: string;
          resolvedAt: string | null;
          kind: string;
        },
    )
    .map((incident) => ({
      id: incident.id,
      serviceIds: incident.serviceIds,
      startedAt: Date.parse(incident.startedAt),
      resolvedAt: incident.resolvedAt === null ? null : Date.parse(incident.resolvedAt),
      kind: incident.kind,
    }));
  const periods = downPeriods(flips);
  const incidentReport = incidentsPerPeriod(periods, incidents);
  const slackRows = slack.messages.map((message) => {
    const text = JSON.stringify(message);
    return {
      incidentId: INCIDENT_ID.exec(text)?.[0] ?? '?',
      transition: /Status: resolved/.test((message as { text: string }).text) ? 'resolved' : 'opened',
    };
  });
  const snsRows = sns.messages.map((message) => ({
    incidentId: INCIDENT_ID.exec(message.message)?.[0] ?? '?',
    transition: message.attributes.transition ?? '?',
  }));
  const alerts = alertsPerTransition(incidents, slackRows, snsRows);
  const outputs = cluster.runs.map((run) => run.output()).join('\n');
  const takeovers = (outputs.match(/took over shard/g) ?? []).length;
  const handovers = (outputs.match(/handed over shard/g) ?? []).length;

  const probeDoubles = splitFencedDoubles(doublePairs(hits, intervalMs / 2), hitMatch.unmatched);
  const report: Omit<ChaosReport, 'summary'> = {
    plan,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    kills: kills.length,
    restarts,
    takeovers,
    handovers,
    checks: checkItems.length,
    targetHits: [...hits.values()].reduce((sum, list) => sum + list.length, 0),
    inFlightAtKill: hitMatch.inFlightAtKill,
    lost: hitMatch.lost,
    phantom: hitMatch.phantom,
    doubleChecks: doublePairs(stored, intervalMs / 2),
    closest: closestPair(stored),
    doubleProbes: probeDoubles.stored,
    fencedDoubleProbes: probeDoubles.fenced,
    rollupMismatches,
    gapBoundMs,
    maxGapMs: gapReport.maxGapMs,
    maxGapService: gapReport.maxGapService,
    maxGapDuringOutageMs: gapReport.maxGapDuringOutageMs,
    gapsOverBound: gapReport.overBound,
    outage,
    settledAtFreeze,
    outageStatus,
    downPeriods: incidentReport.periods,
    incidents: incidentReport.incidents,
    incidentMismatches: incidentReport.mismatched,
    strayIncidents: incidentReport.strays,
    unresolvedIncidents: incidentReport.unresolved,
    slackMessages: alerts.slack.messages,
    snsMessages: alerts.sns.messages,
    alertErrors: [...alerts.slack.wrong.map((w) => `slack ${w}`), ...alerts.sns.wrong.map((w) => `sns ${w}`)],
    rollingRestartAlerts,
    rollingRestartMaxGapMs: rollingGaps.maxGapMs,
    convergenceMs,
    uncleanStops,
  };
  const summary = summarize(report);
  const full: ChaosReport = { ...report, summary };
  const dir = resolve('artifacts/chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${plan.name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(join(dir, `${plan.name}.md`), `${summary}\n`);
  // Every replica process's log, for when a verdict needs explaining.
  writeFileSync(
    join(dir, `${plan.name}-replicas.log`),
    cluster.runs
      .map((run) => `==== slot ${run.slot} ${run.replicaId} (${run.ending}) ====\n${run.output()}`)
      .join('\n'),
  );
  writeFileSync(join(dir, `${plan.name}-timeline.log`), `${timeline.join('\n')}\n`);
  return full;
}

/** Both receivers got nothing new for `quietMs` (bounded by `timeoutMs`). */
async function waitQuiet(slack: SlackReceiver, sns: SnsReceiver, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let count = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const now = slack.messages.length + sns.messages.length;
    if (now !== count) {
      count = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await sleep(200);
  }
}

/**
 * Milliseconds from `from` until every replica serves the same /api/status (generatedAt aside); null if never,
 * with the first difference seen last.
 */
async function converge(
  cluster: ReplicaCluster,
  from: number,
  timeoutMs: number,
): Promise<{ ms: number | null; difference: string | null }> {
  let difference: string | null = null;
  while (Date.now() - from < timeoutMs) {
    const bodies = await Promise.all(
      cluster.runningSlots().map(async (slot) => {
        const body = (await (await fetch(`${cluster.baseUrl(slot)}/api/status`)).json()) as Partial<StatusResponse>;
        delete body.generatedAt;
        return body;
      }),
    );
    const texts = bodies.map((body) => JSON.stringify(body));
    if (texts.every((text) => text === texts[0])) return { ms: Date.now() - from, difference: null };
    const [first] = bodies;
    const services = (first?.services ?? []).map((service, index) => {
      const others = bodies.map((body) => JSON.stringify(body.services?.[index]));
      return others.every((other) => other === others[0]) ? null : others.join('\n   vs ');
    });
    difference = services.find((entry) => entry !== null) ?? texts.join('\n   vs ');
    await sleep(100);
  }
  return { ms: null, difference };
}

function summarize(report: Omit<ChaosReport, 'summary'>): string {
  const { plan } = report;
  const ms = (value: number) => `${(value / 1000).toFixed(1)} s`;
  const rows: (string | number)[][] = [
    [
      'run',
      `${plan.name}: 3 replicas, ${plan.services} services @ ${plan.intervalSeconds} s, lease ${plan.leaseSeconds} s, ${report.durationSeconds} s`,
    ],
    ['SIGKILLs / restarts', `${report.kills} / ${report.restarts} (incl. a rolling restart of all 3)`],
    ['shard takeovers (after a crash) / clean handovers', `${report.takeovers} / ${report.handovers}`],
    ['checks stored / probes seen by the targets', `${report.checks} / ${report.targetHits}`],
    ['probes lost with a SIGKILLed replica (in flight / unflushed)', report.inFlightAtKill],
    ['lost (probe without a stored check, no kill near)', report.lost.length],
    ['phantom (stored check the target never saw)', report.phantom.length],
    [
      'duplicates (two checks < interval/2 apart: stored / target hits, both stored / target hits, one fenced)',
      `${report.doubleChecks.length} / ${report.doubleProbes.length} / ${report.fencedDoubleProbes.length}`,
    ],
    [
      'closest two stored checks of a service',
      report.closest === null ? '-' : `${report.closest.gapMs} ms (${report.closest.serviceId})`,
    ],
    ['rollup totals = stored checks', `${plan.services - report.rollupMismatches.length} of ${plan.services} services`],
    [
      `max gap between checks, from creation to the final pause (bound lease + interval = ${ms(report.gapBoundMs)})`,
      `${ms(report.maxGapMs)}${report.maxGapService ? ` (${report.maxGapService})` : ''}`,
    ],
    [
      `max gap while dynalite was frozen ${ms(plan.outageMs)} (+ recovery)`,
      `${ms(report.maxGapDuringOutageMs)}${report.settledAtFreeze ? '' : ' (shards were moving at the freeze)'}`,
    ],
    [
      'status during the outage (replicas answering / services stale per replica)',
      `${report.outageStatus.filter((s) => s.ok).length} of ${report.outageStatus.length} / ${report.outageStatus.map((s) => `${s.stale}/${s.services}`).join(', ')}`,
    ],
    [
      'down periods / automatic incidents (exactly one each)',
      `${report.downPeriods} / ${report.incidents}${report.incidentMismatches.length > 0 ? ` (${report.incidentMismatches.length} wrong)` : ''}`,
    ],
    [
      'alerts Slack / SNS (one per incident transition and channel)',
      `${report.slackMessages} / ${report.snsMessages}, errors ${report.alertErrors.length}`,
    ],
    ['rolling restart: alerts sent / max gap', `${report.rollingRestartAlerts} / ${ms(report.rollingRestartMaxGapMs)}`],
    [
      'all replicas serve the same /api/status after the last admin change',
      report.convergenceMs === null ? 'never' : `${(report.convergenceMs / 1000).toFixed(2)} s`,
    ],
  ];
  return table(['chaos', 'result'], rows);
}
