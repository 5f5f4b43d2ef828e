// Shared helpers for the benchmarks: child processes that are always cleaned up, free ports, /proc sampling,
// wrk runs and parsing, and table printing. Plain ESM, no dependencies beyond Node 20.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(() => done()));
  return port;
}

export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `taskset -c <cpus>` prefix when taskset exists and the box has more than one CPU; [] otherwise. */
export function pinned(cpus) {
  return PIN && cpus !== null ? ['taskset', '-c', String(cpus)] : [];
}
export const PIN = hasCommand('taskset');

// ---------------------------------------------------------------------------------------------------------------
// Child processes: every child gets its own process group (detached) and is registered; cleanup() kills the
// groups (SIGTERM, then SIGKILL) and runs on normal exit, on failure, on SIGINT/SIGTERM and on the time budget.
// ---------------------------------------------------------------------------------------------------------------
const children = new Set();

export function launch(name, command, args, options = {}) {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(entry);
      resolve({ code, signal });
    }),
  );
  child.once('error', (error) => keep(`spawn error: ${error.message}\n`));
  const entry = {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => output,
    /** Resolves when the output matches `pattern` (returns the match), rejects on exit or timeout. */
    waitFor: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = pattern.exec(output);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-3000)}`);
        if (Date.now() > deadline)
          throw new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`);
        await sleep(50);
      }
    },
    /** SIGTERM (the process itself; the app flushes on it), SIGKILL to the whole group after graceMs. */
    stop: async (graceMs = 10_000, signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, signal);
        } catch {
          /* gone */
        }
      }
      const result = await Promise.race([exited, sleep(graceMs).then(() => null)]);
      killGroup(child.pid, 'SIGKILL');
      return result ?? (await exited);
    },
  };
  children.add(entry);
  return entry;
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Kills every registered child group (SIGTERM, SIGKILL after 3 s); safe to call repeatedly. */
export async function cleanup() {
  const list = [...children];
  for (const entry of list) killGroup(entry.pid, 'SIGTERM');
  await Promise.race([Promise.all(list.map((entry) => entry.exited)), sleep(3000)]);
  for (const entry of list) killGroup(entry.pid, 'SIGKILL');
  await Promise.race([Promise.all(list.map((entry) => entry.exited)), sleep(1000)]);
}

// Last resort: a synchronous SIGKILL of every group still registered when this process exits.
process.on('exit', () => {
  for (const entry of children) killGroup(entry.pid, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// /proc sampling
// ---------------------------------------------------------------------------------------------------------------
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS, VmHWM, RssAnon and RssFile in MB; null when the process is gone. */
export function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    // RssFile: pages of mapped files (the node binary, shared libraries), shared with other node processes.
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return null;
  }
}

/** Samples CPU and RSS of some pids every `everyMs`; stop() returns CPU % of one core and max RSS per pid. */
export function sampleProcesses(pids, everyMs = 500) {
  const startedAt = performance.now();
  const cpuStart = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const maxRss = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const memory = memoryMb(pid);
      if (memory) maxRss[name] = Math.max(maxRss[name], memory.rss);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - startedAt) / 1000;
      const out = {};
      for (const [name, pid] of Object.entries(pids)) {
        const end = cpuSeconds(pid);
        out[name] = {
          cpuPercent: end === null || cpuStart[name] === null ? null : ((end - cpuStart[name]) / seconds) * 100,
          maxRssMb: maxRss[name],
          hwmMb: memoryMb(pid)?.hwm ?? null,
        };
      }
      return { seconds, ...out };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// wrk
// ---------------------------------------------------------------------------------------------------------------
function toMs(value, unit) {
  const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit];
  return Number(value) * (factor ?? NaN);
}

export function parseWrk(text) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, value) => sum + Number(value), 0) : 0;
  const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(text);
  return {
    requests,
    rps,
    p50Ms: percentile(50),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    non2xx,
    socketErrors,
    transferPerSec: transfer ? `${transfer[1]}${transfer[2]}` : null,
  };
}

/** Runs wrk (optionally pinned to CPUs) and returns the parsed --latency output plus the raw text. */
export async function runWrk(url, { threads = 2, connections = 64, seconds = 10, cpus = null, headers = {} } = {}) {
  const argv = [
    ...pinned(cpus),
    'wrk',
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    url,
  ];
  const proc = launch('wrk', argv[0], argv.slice(1));
  const { code } = await Promise.race([
    proc.exited,
    sleep((seconds + 20) * 1000).then(async () => {
      await proc.stop(1000, 'SIGKILL');
      throw new Error(`wrk did not finish within ${seconds + 20} s`);
    }),
  ]);
  const raw = proc.output();
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${raw}`);
  return { ...parseWrk(raw), raw };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers and formatting
// ---------------------------------------------------------------------------------------------------------------
export async function getJson(url, timeoutMs = 5000, headers = {}) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  try {
    return { status: response.status, json: JSON.parse(body) };
  } catch {
    return { status: response.status, json: null, text: body };
  }
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const fmt = (value, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? 'n/a' : Number(value).toFixed(digits);

/** A plain-text table: header row, separator, rows; columns padded to their widest cell. */
export function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, index) => Math.max(...all.map((row) => row[index]?.length ?? 0)));
  const line = (row) => `| ${row.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  return [line(all[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...all.slice(1).map(line)].join(
    '\n',
  );
}

export { existsSync };

// ---------------------------------------------------------------------------------------------------------------
// Noise: CPU used by processes that are not ours (other users of a shared box) during a measurement.
// ---------------------------------------------------------------------------------------------------------------
import { readdirSync } from 'node:fs';

function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), {
        ppid: Number(fields[1]),
        comm,
        cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK,
      });
    } catch {
      /* exited */
    }
  }
  return table;
}

/** CPU seconds (user + system, all threads) used so far by `pid` and its descendants (nginx: master + worker). */
export function treeCpuSeconds(pid) {
  const table = processTable();
  const inTree = (candidate) => {
    for (let current = candidate, depth = 0; current > 1 && depth < 64; depth += 1) {
      if (current === pid) return true;
      current = table.get(current)?.ppid ?? 0;
    }
    return false;
  };
  let seconds = 0;
  for (const [candidate, entry] of table) if (inTree(candidate)) seconds += entry.cpu;
  return seconds;
}

/** Starts a measurement of CPU used by other processes on the box; stop() returns % of one core and the top ones. */
export function foreignLoad() {
  const startedAt = performance.now();
  const before = processTable();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const after = processTable();
      const ours = (pid) => {
        for (let current = pid, depth = 0; current > 1 && depth < 64; depth += 1) {
          if (current === process.pid) return true;
          current = after.get(current)?.ppid ?? before.get(current)?.ppid ?? 0;
        }
        return false;
      };
      const rows = [];
      for (const [pid, entry] of after) {
        if (ours(pid)) continue;
        const used = entry.cpu - (before.get(pid)?.cpu ?? 0);
        if (used > 0) rows.push({ pid, comm: entry.comm, percent: (used / seconds) * 100 });
      }
      rows.sort((a, b) => b.percent - a.percent);
      return { percent: rows.reduce((sum, row) => sum + row.percent, 0), top: rows.slice(0, 5) };
    },
  };
}
