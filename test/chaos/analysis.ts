/**
 * What the chaos run's evidence says, computed from the tables, the targets' hit log and the receivers alone (pure
 * functions, so the verdicts do not depend on what the replicas claim about themselves).
 */

export interface Window {
  from: number;
  to: number;
}

export interface StoredCheckRow {
  serviceId: string;
  at: number;
}

export interface GapReport {
  /** Largest time between two consecutive stored checks of one service, outside the storage outage. */
  maxGapMs: number;
  maxGapService: string | null;
  /** The same inside the outage (reported separately: checks continue, results are buffered). */
  maxGapDuringOutageMs: number;
  /** Gaps longer than the bound, outside the outage. */
  overBound: { serviceId: string; from: number; to: number }[];
}

/** Gaps between consecutive stored checks per service; a gap touching `outage` is reported on its own. */
export function gaps(checks: Map<string, number[]>, outage: Window | null, boundMs: number): GapReport {
  const report: GapReport = { maxGapMs: 0, maxGapService: null, maxGapDuringOutageMs: 0, overBound: [] };
  for (const [serviceId, times] of checks) {
    for (let index = 1; index < times.length; index += 1) {
      const from = times[index - 1] as number;
      const to = times[index] as number;
      const gap = to - from;
      if (outage && to >= outage.from && from <= outage.to) {
        report.maxGapDuringOutageMs = Math.max(report.maxGapDuringOutageMs, gap);
        continue;
      }
      if (gap > report.maxGapMs) {
        report.maxGapMs = gap;
        report.maxGapService = serviceId;
      }
      if (gap > boundMs) report.overBound.push({ serviceId, from, to });
    }
  }
  return report;
}

/** The two consecutive times of one list closest to each other (null when no list has two). */
export function closestPair(times: Map<string, number[]>): { serviceId: string; at: number; gapMs: number } | null {
  let best: { serviceId: string; at: number; gapMs: number } | null = null;
  for (const [serviceId, list] of times)
    for (let index = 1; index < list.length; index += 1) {
      const gapMs = (list[index] as number) - (list[index - 1] as number);
      if (best === null || gapMs < best.gapMs) best = { serviceId, at: list[index] as number, gapMs };
    }
  return best;
}

/**
 * Pairs of target hits closer than `minMs`, split by what explains them. `fenced`: one of the two was never stored —
 * a replica that had just lost the service (stopped, killed, or superseded while its heartbeat lagged) probed it
 * while the new owner did; the stale result is fenced and never counted. `stored`: both were stored, so their checks
 * started at least as far apart as `doublePairs(stored)` allows and the hits came close only through delivery time (a
 * first request's connection set-up on a loaded machine); the stored-check rule judges those.
 */
export function splitFencedDoubles(
  pairs: { serviceId: string; at: number; previous: number }[],
  unmatched: Map<string, Set<number>>,
): { stored: { serviceId: string; at: number }[]; fenced: { serviceId: string; at: number }[] } {
  const stored: { serviceId: string; at: number }[] = [];
  const fenced: { serviceId: string; at: number }[] = [];
  for (const { serviceId, at, previous } of pairs) {
    const lost = unmatched.get(serviceId);
    (lost?.has(at) || lost?.has(previous) ? fenced : stored).push({ serviceId, at });
  }
  return { stored, fenced };
}

/** Pairs of consecutive times closer than `minMs` (two checks or hits of one service where there should be one). */
export function doublePairs(
  times: Map<string, number[]>,
  minMs: number,
): { serviceId: string; at: number; previous: number }[] {
  const found: { serviceId: string; at: number; previous: number }[] = [];
  for (const [serviceId, list] of times)
    for (let index = 1; index < list.length; index += 1)
      if ((list[index] as number) - (list[index - 1] as number) < minMs)
        found.push({ serviceId, at: list[index] as number, previous: list[index - 1] as number });
  return found;
}

export interface HitMatch {
  matched: number;
  /** Probes the target saw that no stored check accounts for, though no replica was killed around them. */
  lost: { serviceId: string; at: number }[];
  /** Probes that died with a SIGKILLed replica (in flight, or in its write buffer). */
  inFlightAtKill: number;
  /** Stored checks the target never saw (must not exist). */
  phantom: { serviceId: string; at: number }[];
  /** Every target hit no stored check accounts for (the lost and the excused ones), by service. */
  unmatched: Map<string, Set<number>>;
}

/**
 * How long after the harness recorded a SIGKILL the targets may still record a probe the killed replica sent before
 * it died: the targets answer on the harness's own event loop, which has just sent the signal. Seen once: a hit
 * recorded at .623 s, the kill taken at < .623 s and done by .642 s, on a service the killed replica owned.
 */
export const KILL_NOTICE_MS = 500;

/**
 * Matches each stored check to the target hit it caused (the hit arrives within `maxLatencyMs` after the check's
 * start). A hit left over is excused only if a replica was SIGKILLed within `killWindowMs` after it (or at most
 * KILL_NOTICE_MS before it).
 */
export function matchHits(
  hits: Map<string, number[]>,
  stored: Map<string, number[]>,
  kills: number[],
  maxLatencyMs: number,
  killWindowMs: number,
): HitMatch {
  const result: HitMatch = { matched: 0, lost: [], inFlightAtKill: 0, phantom: [], unmatched: new Map() };
  const ids = new Set([...hits.keys(), ...stored.keys()]);
  for (const serviceId of ids) {
    const hitList = [...(hits.get(serviceId) ?? [])].sort((a, b) => a - b);
    const checkList = [...(stored.get(serviceId) ?? [])].sort((a, b) => a - b);
    const used = new Array<boolean>(hitList.length).fill(false);
    let start = 0;
    for (const at of checkList) {
      while (start < hitList.length && (hitList[start] as number) < at - 50) start += 1;
      let found = -1;
      for (let index = start; index < hitList.length && (hitList[index] as number) <= at + maxLatencyMs; index += 1) {
        if (!used[index]) {
          found = index;
          break;
        }
      }
      if (found === -1) result.phantom.push({ serviceId, at });
      else {
        used[found] = true;
        result.matched += 1;
      }
    }
    hitList.forEach((at, index) => {
      if (used[index]) return;
      const unmatched = result.unmatched.get(serviceId) ?? new Set<number>();
      result.unmatched.set(serviceId, unmatched.add(at));
      if (kills.some((kill) => kill >= at - KILL_NOTICE_MS && kill - at <= killWindowMs)) result.inFlightAtKill += 1;
      else result.lost.push({ serviceId, at });
    });
  }
  return result;
}

export interface DownPeriod {
  serviceId: string;
  from: number;
  /** When the target answered again; Infinity while still failing. */
  to: number;
}

/** Failing periods per service from the targets' switch log. */
export function downPeriods(flips: { serviceId: string; at: number; mode: 'ok' | 'fail' }[]): DownPeriod[] {
  const periods: DownPeriod[] = [];
  const open = new Map<string, number>();
  for (const flip of [...flips].sort((a, b) => a.at - b.at)) {
    if (flip.mode === 'fail' && !open.has(flip.serviceId)) open.set(flip.serviceId, flip.at);
    if (flip.mode === 'ok' && open.has(flip.serviceId)) {
      periods.push({ serviceId: flip.serviceId, from: open.get(flip.serviceId) as number, to: flip.at });
      open.delete(flip.serviceId);
    }
  }
  for (const [serviceId, from] of open) periods.push({ serviceId, from, to: Number.POSITIVE_INFINITY });
  return periods;
}

export interface IncidentRow {
  id: string;
  serviceIds: string[];
  startedAt: number;
  resolvedAt: number | null;
  kind: string;
}

export interface IncidentReport {
  periods: number;
  incidents: number;
  /** Down periods with no incident, or more than one. */
  mismatched: { serviceId: string; from: number; incidents: number }[];
  /** Incidents that belong to no down period. */
  strays: string[];
  unresolved: string[];
}

/** Each down period must have produced exactly one automatic incident, opened after it began and before the next. */
export function incidentsPerPeriod(periods: DownPeriod[], incidents: IncidentRow[]): IncidentReport {
  const auto = incidents.filter((incident) => incident.kind === 'auto');
  const claimed = new Set<string>();
  const mismatched: IncidentReport['mismatched'] = [];
  for (const period of periods) {
    const next = periods
      .filter((other) => other.serviceId === period.serviceId && other.from > period.from)
      .reduce((min, other) => Math.min(min, other.from), Number.POSITIVE_INFINITY);
    const own = auto.filter(
      (incident) =>
        incident.serviceIds.includes(period.serviceId) &&
        incident.startedAt >= period.from &&
        incident.startedAt < next,
    );
    own.forEach((incident) => claimed.add(incident.id));
    if (own.length !== 1) mismatched.push({ serviceId: period.serviceId, from: period.from, incidents: own.length });
  }
  return {
    periods: periods.length,
    incidents: auto.length,
    mismatched,
    strays: auto.filter((incident) => !claimed.has(incident.id)).map((incident) => incident.id),
    unresolved: auto.filter((incident) => incident.resolvedAt === null).map((incident) => incident.id),
  };
}

export interface AlertReport {
  /** Per channel: messages received, and how many (incident, transition) pairs got other than exactly one. */
  slack: { messages: number; wrong: string[] };
  sns: { messages: number; wrong: string[] };
}

/**
 * Every incident transition ("opened", "resolved") must reach each channel exactly once. Slack messages carry the
 * incident link, SNS messages the incident id and a `transition` attribute.
 */
export function alertsPerTransition(
  incidents: IncidentRow[],
  slack: { incidentId: string; transition: string }[],
  sns: { incidentId: string; transition: string }[],
): AlertReport {
  const expected = incidents
    .filter((incident) => incident.kind === 'auto')
    .flatMap((incident) => [
      `${incident.id}#opened`,
      ...(incident.resolvedAt === null ? [] : [`${incident.id}#resolved`]),
    ]);
  const check = (messages: { incidentId: string; transition: string }[]) => {
    const counts = new Map<string, number>();
    for (const message of messages) {
      const key = `${message.incidentId}#${message.transition}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const wrong = expected.filter((key) => counts.get(key) !== 1).map((key) => `${key} x${counts.get(key) ?? 0}`);
    for (const key of counts.keys()) if (!expected.includes(key)) wrong.push(`${key} (unexpected)`);
    return { messages: messages.length, wrong };
  };
  return { slack: check(slack), sns: check(sns) };
}

/** A plain-text table: header row, separator, rows; columns padded to their widest cell. */
export function table(header: string[], rows: (string | number)[][]): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, index) => Math.max(...all.map((row) => row[index]?.length ?? 0)));
  const line = (row: string[]) => `| ${row.map((cell, index) => cell.padEnd(widths[index] as number)).join(' | ')} |`;
  return [
    line(all[0] as string[]),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...all.slice(1).map(line),
  ].join('\n');
}
