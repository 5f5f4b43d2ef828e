import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { closeDynalite, listenDynalite } from './dynalite-server.js';
import type { NumberSizing } from './dynalite-number-size.js';
import type { EmbeddedThreadData, FromEmbeddedThread, ToEmbeddedThread } from './embedded-dynamo.protocol.js';

export interface EmbeddedDynamo {
  endpoint: string;
  /** True when dynalite runs on a thread of its own, false when on the caller's. */
  onThread: boolean;
  /**
   * How dynalite sizes numbers: 'text' (fast), or 'big.js' as shipped — after a dynalite upgrade, or under a loader
   * of its own such as Jest's on the caller's thread (dynalite-number-size.ts).
   */
  numbers: NumberSizing;
  close(): Promise<void>;
}

export interface EmbeddedDynamoOptions {
  /** Loopback port (0 = any free one). */
  port?: number;
  /** The compiled thread script; null runs dynalite on the caller's thread. Default: embeddedDynamoThreadScript(). */
  thread?: URL | null;
  /**
   * Called when the thread ends while the store is open (it crashed): every read and write would fail from then on.
   * Default: log it and exit the process, as a crash of dynalite on the main thread would, so the service manager
   * starts the app again on the same data.
   */
  onThreadExit?: (code: number) => void;
}

/** How long close() waits for the thread to close LevelDB and end before it is terminated (dynalite's own is 30 s). */
const CLOSE_TIMEOUT_MS = 35_000;

const logger = new Logger('Storage');

/**
 * The compiled thread next to this module, or null when this module runs from TypeScript sources (Jest), where a
 * worker cannot load it: dynalite runs on the caller's thread then.
 */
export function embeddedDynamoThreadScript(): URL | null {
  return import.meta.url.endsWith('.js') ? new URL('./embedded-dynamo.worker.js', import.meta.url) : null;
}

/**
 * Runs dynalite (DynamoDB's wire protocol over LevelDB) on loopback, in this process. The real
 * @aws-sdk/client-dynamodb talks to it over HTTP: the same code path as production.
 * `dataDir` null keeps everything in memory (tests). dynalite (and LevelDB under it) is imported only here, so the
 * production shape (an external DynamoDB) never loads it: ~2 MB of heap and a native addon.
 *
 * Compiled (`npm start`), dynalite runs on a worker thread of its own: its share of every request (parsing,
 * big-number arithmetic, LevelDB, their garbage) then runs on the second core instead of the app's event loop —
 * at 10,000 services, the restore of recent checks after a crash took 19–47 % less time (docs/bench.md). A thread
 * that cannot start is reported and dynalite runs on the caller's thread instead.
 */
export async function startEmbeddedDynamo(
  dataDir: string | null,
  options: EmbeddedDynamoOptions = {},
): Promise<EmbeddedDynamo> {
  const port = options.port ?? 0;
  const script = options.thread === undefined ? embeddedDynamoThreadScript() : options.thread;
  let path: string | null = null;
  let lock: DataDirLock | null = null;
  if (dataDir !== null) {
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
    path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  try {
    if (script) {
      const started = await startOnThread(script, { path, port }, options.onThreadExit ?? exitProcess, lock);
      if (started) return started;
    }
    return await startHere(path, port, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** dynalite on a worker thread; null when the thread could not start (it never listened). */
async function startOnThread(
  script: URL,
  data: EmbeddedThreadData,
  onThreadExit: (code: number) => void,
  lock: DataDirLock | null,
): Promise<EmbeddedDynamo | null> {
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data, name: 'dynamodb' });
  } catch (error) {
    logger.warn(`embedded DynamoDB thread not started (${messageOf(error)}): it runs on the main thread`);
    return null;
  }
  let lastError = '';
  worker.on('error', (error) => {
    lastError = error.message;
  });
  const ready = await new Promise<FromEmbeddedThread | { type: 'exited'; code: number }>((resolve) => {
    const onExit = (code: number) => resolve({ type: 'exited', code });
    worker.once('message', (message: FromEmbeddedThread) => {
      worker.off('exit', onExit);
      resolve(message);
    });
    worker.once('exit', onExit);
  });
  if (ready.type === 'failed') {
    // dynalite itself refused (the port is taken, the database cannot be opened): the same would happen here.
    await worker.terminate();
    throw new Error(`embedded DynamoDB could not start: ${ready.message}`);
  }
  if (ready.type === 'exited') {
    logger.warn(
      `embedded DynamoDB thread ended before it listened (${lastError || `exit code ${ready.code}`}): it runs on the main thread`,
    );
    return null;
  }
  let closing = false;
  let exited = false;
  worker.on('exit', (code) => {
    exited = true;
    if (closing) return;
    logger.error(`embedded DynamoDB thread ended (${lastError || `exit code ${code}`}): storage is gone`);
    onThreadExit(code);
  });
  return {
    endpoint: `http://127.0.0.1:${ready.port}`,
    onThread: true,
    numbers: ready.numbers,
    close: () => {
      if (closing) return Promise.resolve();
      closing = true;
      if (exited) {
        lock?.release();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
        worker.once('exit', () => {
          clearTimeout(timer);
          lock?.release();
          resolve();
        });
        worker.postMessage({ type: 'close' } satisfies ToEmbeddedThread);
      });
    },
  };
}

/** dynalite on the caller's thread. */
async function startHere(path: string | null, port: number, lock: DataDirLock | null): Promise<EmbeddedDynamo> {
  const { server, port: bound, numbers } = await listenDynalite(path, port);
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    onThread: false,
    numbers,
    close: () => closeDynalite(server).then(() => lock?.release()),
  };
}

function exitProcess(): void {
  process.exit(1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
