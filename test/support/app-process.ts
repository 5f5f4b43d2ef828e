import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAIN = resolve('dist/api/apps/api/src/main.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface AppProcess {
  baseUrl: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for the exit; resolves true when the shutdown hooks ran and the exit was clean. */
  stop(): Promise<boolean>;
  /** SIGKILL: no shutdown hooks run (crash simulation). */
  kill(): Promise<void>;
}

export interface StartOptions {
  servicesYaml: string;
  env?: Record<string, string>;
  /** Reuse to test restarts; a fresh temp dir by default. */
  dataDir?: string;
  /** Wait until /api/health answers 200 (default true). */
  waitHealthy?: boolean;
  /** How long that may take (default 20 s; the chaos suite allows more: its restarts compete for the CPU). */
  healthyWithinMs?: number;
}

/**
 * Spawns the compiled app (npm run build:api) exactly as `npm start` runs it: embedded DynamoDB persisted under
 * dataDir, loopback targets allowed, on a free port.
 */
export async function startApp(options: StartOptions): Promise<AppProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'status-e2e-'));
  const configPath = join(dataDir, 'services.yaml');
  writeFileSync(configPath, options.servicesYaml);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      STATUS_CONFIG: configPath,
      TARGET_ALLOW_CIDRS: '127.0.0.0/8',
      NODE_NO_WARNINGS: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    baseUrl,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const { code, signal } = await exited;
      // Nest re-raises the signal after its shutdown hooks, so a clean stop ends by SIGTERM (or with 0).
      return code === 0 || (code === null && signal === 'SIGTERM');
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  if (options.waitHealthy !== false) {
    const healthyWithinMs = options.healthyWithinMs ?? 20_000;
    const deadline = Date.now() + healthyWithinMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output}`);
      try {
        const response = await fetch(`${baseUrl}/api/health`);
        if (response.status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await app.kill();
        throw new Error(`app did not become healthy in ${healthyWithinMs / 1000} s:\n${output}`);
      }
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  return app;
}

/** Polls until predicate(value) holds or the timeout passes; returns the last value either way. */
export async function waitFor<T>(
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!predicate(value) && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, everyMs));
    value = await read();
  }
  return value;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}
