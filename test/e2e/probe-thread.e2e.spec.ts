import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import {
  DispatchingProber,
  DnsProber,
  HttpProber,
  httpCheck,
  Prober,
  TargetPolicy,
  TcpProber,
  tcpCheck,
  ThreadedProber,
  type ProbeResult,
  type ProbeTarget,
} from '@app/monitoring';

/** The compiled thread (`npm test` builds first; `npm run test:e2e` too). */
const SCRIPT = resolve(import.meta.dirname, '../../dist/api/libs/monitoring/src/probe/probe-thread.worker.js');

/**
 * A target in a process of its own, so that blocking this test's main thread does not delay its clock: it stamps
 * each request's arrival (epoch ms) and answers the status the path asks for (/200/<n>, /503/<n>).
 */
const TARGET = `
const arrivals = {};
require('node:http').createServer((request, response) => {
  const at = Date.now();
  if (request.url === '/arrivals') { response.end(JSON.stringify(arrivals)); return; }
  const [, status, name] = request.url.split('/');
  arrivals[name] = at;
  // /slow/<n>: a 200 after one second (a check still running).
  const answer = () => response.writeHead(status === 'slow' ? 200 : Number(status), { connection: 'close' }).end('ok');
  if (status === 'slow') setTimeout(answer, 1000);
  else answer();
}).listen(0, '127.0.0.1', function () { console.log('READY ' + this.address().port); });
`;

/** A heartbeat prober stand-in: records when it was asked. */
class RecordingHeartbeat extends Prober {
  readonly calledAt: number[] = [];
  probe(): Promise<ProbeResult> {
    this.calledAt.push(Date.now());
    return Promise.resolve({ startedAt: Date.now(), ok: true, latencyMs: 0 });
  }
}

function busyUntil(at: number): void {
  while (Date.now() < at) {
    // Holds the main thread, like a burst of requests or a long collection would.
  }
}

describe('ThreadedProber: checks on a thread of their own (the compiled probe thread)', () => {
  const policy = new TargetPolicy('127.0.0.0/8');
  let child: ChildProcess;
  let origin: string;
  let closedPort: number;
  let heartbeat: RecordingHeartbeat;
  let prober: ThreadedProber;
  const probers: ThreadedProber[] = [];

  const http = (path: string, timeoutMs = 2000): ProbeTarget => ({
    serviceId: path,
    url: `${origin}${path}`,
    timeoutMs,
    intervalMs: 20_000,
    check: httpCheck(),
  });
  const tcp = (port: number): ProbeTarget => ({
    serviceId: 'tcp',
    url: `tcp://127.0.0.1:${port}`,
    timeoutMs: 1000,
    intervalMs: 20_000,
    check: tcpCheck('127.0.0.1', port),
  });
  const arrivals = async (): Promise<Record<string, number>> =>
    (await fetch(`${origin}/arrivals`)).json() as Promise<Record<string, number>>;
  const threaded = (targetPolicy: TargetPolicy) => {
    const created = new ThreadedProber(pathToFileURL(SCRIPT), targetPolicy, heartbeat);
    probers.push(created);
    return created;
  };

  beforeAll(async () => {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build:api first`);
    child = spawn(process.execPath, ['-e', TARGET], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((done) =>
      child.stdout?.on('data', (chunk: Buffer) => {
        const match = /READY (\d+)/.exec(chunk.toString());
        if (match) done(match[1] as string);
      }),
    );
    origin = `http://127.0.0.1:${port}`;
    // A port nothing listens on: bound, read, closed.
    const server: Server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    closedPort = (server.address() as { port: number }).port;
    await new Promise<void>((done) => server.close(() => done()));
  });

  beforeEach(() => {
    heartbeat = new RecordingHeartbeat();
    prober = threaded(policy);
  });

  afterEach(async () => {
    for (const each of probers.splice(0)) await each.onApplicationShutdown();
  });

  afterAll(() => {
    child.kill();
  });

  it('takes checks early and starts each at its due millisecond, not when handed over', async () => {
    expect(prober.leadMs).toBeGreaterThan(0);
    const at = Date.now() + 300;
    const result = await prober.probe(http('/200/due'), at);
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.startedAt).toBeGreaterThanOrEqual(at);
    expect((await arrivals()).due).toBeGreaterThanOrEqual(at);
  });

  it('starts and measures a check on time while the main thread is busy (in process, it would wait)', async () => {
    // Before the busy main thread is free again (at + 900): the in-process control below cannot be, ever. Up to
    // three tries: on a machine whose cores other processes fill (a loaded CI run) the thread itself may get no CPU
    // in time — a check on the main thread would miss all three, as the control shows.
    const tries: string[] = [];
    let onTime = false;
    for (let attempt = 0; attempt < 3 && !onTime; attempt += 1) {
      const at = Date.now() + 200;
      const pending = prober.probe(http(`/200/busy${attempt}`), at);
      busyUntil(at + 900);
      const result = await pending;
      const arrived = (await arrivals())[`busy${attempt}`] ?? Infinity;
      tries.push(`arrived at +${arrived - at} ms, latency ${result.latencyMs} ms`);
      onTime = arrived < at + 800 && result.latencyMs < 500;
    }
    expect({ onTime, tries }).toEqual({ onTime: true, tries });

    // The same check by the in-process prober, started by a timer of this thread: it waits for the thread.
    const inProcess = new HttpProber(policy);
    const control = Date.now() + 200;
    const late = new Promise<ProbeResult>((done) =>
      setTimeout(() => void inProcess.probe(http('/200/control')).then(done), control - Date.now()),
    );
    busyUntil(control + 900);
    await late;
    expect((await arrivals()).control).toBeGreaterThanOrEqual(control + 900);
  });

  it('answers as the in-process probers do (status, refused port, SSRF policy built from the same CIDRs)', async () => {
    const strict = threaded(new TargetPolicy(''));
    const cases: [Prober, Prober, ProbeTarget][] = [
      [prober, new HttpProber(policy), http('/200/same-ok')],
      [prober, new HttpProber(policy), http('/503/same-503')],
      [prober, new TcpProber(policy), tcp(closedPort)],
      [strict, new HttpProber(new TargetPolicy('')), http('/200/blocked')],
    ];
    const shape = ({ ok, statusCode, error, warning }: ProbeResult) => ({ ok, statusCode, error, warning });
    for (const [thread, here, target] of cases) {
      expect(shape(await thread.probe(target))).toEqual(shape(await here.probe(target)));
    }
    expect((await strict.probe(http('/200/blocked'))).error).toMatch(/^blocked target 127\.0\.0\.1/);
    expect((await arrivals()).blocked).toBeUndefined();
  });

  it('runs heartbeat checks here, at their due time', async () => {
    const at = Date.now() + 150;
    const heartbeatTarget: ProbeTarget = {
      serviceId: 'cron',
      url: '',
      timeoutMs: 1000,
      intervalMs: 60_000,
      check: { kind: 'heartbeat', graceMs: 1000, tokenHash: 'x'.repeat(64) },
    };
    expect(await prober.probe(heartbeatTarget, at)).toMatchObject({ ok: true });
    expect(heartbeat.calledAt).toHaveLength(1);
    expect(heartbeat.calledAt[0]).toBeGreaterThanOrEqual(at);
  });

  it('cancels the checks still waiting for their due time: they resolve pending and never reach the target', async () => {
    const at = Date.now() + 1500;
    const waiting = prober.probe(http('/200/cancelled'), at);
    const waitingHeartbeat = prober.probe(
      {
        serviceId: 'hb',
        url: '',
        timeoutMs: 1000,
        intervalMs: 60_000,
        check: { kind: 'heartbeat', graceMs: 0, tokenHash: 'y'.repeat(64) },
      },
      at,
    );
    await new Promise((done) => setTimeout(done, 100));
    prober.cancelWaiting();
    expect(await waiting).toMatchObject({ pending: true });
    expect(await waitingHeartbeat).toMatchObject({ pending: true });
    await new Promise((done) => setTimeout(done, Math.max(0, at + 200 - Date.now())));
    expect((await arrivals()).cancelled).toBeUndefined();
    expect(heartbeat.calledAt).toEqual([]);
  });

  it('cancels one waiting check when its signal aborts, and only that one', async () => {
    const edit = new AbortController();
    const waiting = prober.probe(http('/200/edited'), Date.now() + 1500, edit.signal);
    const other = prober.probe(http('/200/kept'), Date.now() + 300);
    await new Promise((done) => setTimeout(done, 100));
    edit.abort();
    expect(await waiting).toMatchObject({ pending: true });
    expect(await other).toMatchObject({ ok: true, statusCode: 200 });
    await new Promise((done) => setTimeout(done, 1600));
    const seen = await arrivals();
    expect(seen.edited).toBeUndefined();
    expect(seen.kept).toBeDefined();
  });

  it('fails the checks a thread that exits had started, and hands the ones not due yet to the next thread', async () => {
    // Ready (its probers loaded): from then on an exit may have cut a check short.
    expect(await prober.probe(http('/200/warm'))).toMatchObject({ ok: true });
    const running = prober.probe(http('/slow/running'));
    const at = Date.now() + 1500;
    const waiting = prober.probe(http('/200/waiting'), at);
    while ((await arrivals()).running === undefined) await new Promise((done) => setTimeout(done, 20));
    await (prober as unknown as { worker: Worker }).worker.terminate();
    await expect(running).rejects.toThrow(/probe thread exited/);
    // Not started when the thread exited (it never starts a check before its due time): run by the next, on time.
    const result = await waiting;
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.startedAt).toBeGreaterThanOrEqual(at);
    expect((await arrivals()).waiting).toBeGreaterThanOrEqual(at);
    expect(prober.inThread).toBe(0);
    expect(await prober.probe(http('/200/after-exit'))).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('replaces a thread that stops answering and fails the checks it held', async () => {
    // A thread that loads, takes checks and never answers (a hung probe would look the same from here).
    const dir = mkdtempSync(join(tmpdir(), 'probe-thread-'));
    const silent = join(dir, 'silent.mjs');
    writeFileSync(
      silent,
      "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\nparentPort.postMessage({ type: 'ready' });\n",
    );
    const stuck = new ThreadedProber(pathToFileURL(silent), policy, heartbeat, { stuckAfterMs: 300 });
    probers.push(stuck);
    const first = (stuck as unknown as { worker: Worker }).worker;
    const started = Date.now();
    await expect(stuck.probe(http('/200/stuck', 200))).rejects.toThrow(/stopped answering/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(stuck.inThread).toBe(0);
    const held = stuck.probe(http('/200/stuck-again', 200));
    expect((stuck as unknown as { worker: Worker }).worker).not.toBe(first);
    await expect(held).rejects.toThrow(/stopped answering/);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a thread that cannot start', () => {
    let dir: string;
    const script = (name: string, body: string) => {
      const path = join(dir, name);
      writeFileSync(path, body);
      return pathToFileURL(path);
    };
    /** A thread script that appends one `x` to `starts` each time it is started, then does `then`. */
    const counting = (name: string, starts: string, then: string) =>
      script(
        name,
        `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(starts)}, 'x');\n${then}\n`,
      );
    const inProcess = () =>
      new DispatchingProber({
        http: new HttpProber(policy),
        tcp: new TcpProber(policy),
        dns: new DnsProber(policy),
        heartbeat,
      });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'probe-thread-start-'));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('hands the checks it held to the next thread: none is failed or lost', async () => {
      const flag = join(dir, 'started-once');
      const flaky = script(
        'flaky.mjs',
        `import { existsSync, writeFileSync } from 'node:fs';
if (!existsSync(${JSON.stringify(flag)})) {
  writeFileSync(${JSON.stringify(flag)}, '');
  throw new Error('the first start fails');
}
await import(${JSON.stringify(pathToFileURL(SCRIPT).href)});
`,
      );
      const retried = new ThreadedProber(flaky, policy, inProcess());
      probers.push(retried);
      const at = Date.now() + 200;
      const result = await retried.probe(http('/200/retried'), at);
      expect(existsSync(flag)).toBe(true);
      expect(result).toMatchObject({ ok: true, statusCode: 200 });
      expect(result.startedAt).toBeGreaterThanOrEqual(at);
      expect(retried.runsOn).toBe('probe thread');
    }, 20_000);

    it.each([
      ['to the next thread', 'once'],
      ['to the main thread', 'always'],
    ])(
      'does not run a check cancelled while the thread failed to start when it hands it %s',
      async (_, fails) => {
        const flag = join(dir, `failed-${fails}`);
        const failing = script(
          `failing-${fails}.mjs`,
          `import { existsSync, writeFileSync } from 'node:fs';
if (${JSON.stringify(fails)} === 'always' || !existsSync(${JSON.stringify(flag)})) {
  writeFileSync(${JSON.stringify(flag)}, '');
  throw new Error('this start fails');
}
await import(${JSON.stringify(pathToFileURL(SCRIPT).href)});
`,
        );
        const handing = new ThreadedProber(failing, policy, inProcess());
        probers.push(handing);
        const edit = new AbortController();
        const at = Date.now() + 400;
        const name = `cancelled-${fails}`;
        const held = handing.probe(http(`/200/${name}`), at, edit.signal);
        // While the first thread is still loading (and failing): the cancel can only reach that thread.
        edit.abort();
        expect(await held).toMatchObject({ pending: true });
        await new Promise((done) => setTimeout(done, Math.max(0, at + 300 - Date.now())));
        expect((await arrivals())[name]).toBeUndefined();
        expect(existsSync(flag)).toBe(true);
        // Three failed starts take a few hundred ms on a busy machine: wait for them, not for a fixed time.
        const expected = fails === 'once' ? 'probe thread' : 'main thread';
        for (const deadline = Date.now() + 10_000; handing.runsOn !== expected && Date.now() < deadline;)
          await new Promise((done) => setTimeout(done, 20));
        expect(handing.runsOn).toBe(expected);
      },
      20_000,
    );

    it('counts a thread that hangs while it loads as a start that failed: its checks are run, not failed', async () => {
      const starts = join(dir, 'hanging-starts');
      const hanging = counting('hanging.mjs', starts, 'await new Promise(() => setInterval(() => {}, 1000));');
      const loading = new ThreadedProber(hanging, policy, inProcess(), { stuckAfterMs: 100 });
      probers.push(loading);
      const result = await loading.probe(http('/200/after-hangs', 200));
      expect(result).toMatchObject({ ok: true, statusCode: 200 });
      expect(readFileSync(starts, 'utf8')).toBe('xxx');
      expect(loading.runsOn).toBe('main thread');
    }, 20_000);

    it('runs every check on the main thread after 3 threads in a row could not start, each at its due time', async () => {
      const starts = join(dir, 'starts');
      const broken = counting('broken.mjs', starts, "throw new Error('the probers cannot load');");
      const fallback = new ThreadedProber(broken, policy, inProcess(), { stuckAfterMs: 2000 });
      probers.push(fallback);
      expect(fallback.runsOn).toBe('probe thread');
      const at = Date.now() + 300;
      const held = await fallback.probe(http('/200/fallback-held'), at);
      expect(held).toMatchObject({ ok: true, statusCode: 200 });
      expect(held.startedAt).toBeGreaterThanOrEqual(at);
      expect((await arrivals())['fallback-held']).toBeGreaterThanOrEqual(at);
      expect(fallback.runsOn).toBe('main thread');
      expect(readFileSync(starts, 'utf8')).toBe('xxx');

      // From now on: here, still never before the due time, and no further thread is tried.
      const next = Date.now() + 200;
      const later = await fallback.probe(http('/503/fallback-next'), next);
      expect(later).toMatchObject({ ok: false, statusCode: 503 });
      expect(later.startedAt).toBeGreaterThanOrEqual(next);
      expect(readFileSync(starts, 'utf8')).toBe('xxx');
    });
  });
});
