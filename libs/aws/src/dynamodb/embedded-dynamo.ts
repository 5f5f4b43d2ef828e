import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { closeLevelIteratorsOnRelease } from './level-iterators.js';

export interface EmbeddedDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Runs dynalite (DynamoDB's wire protocol over LevelDB) in-process on loopback. The real
 * @aws-sdk/client-dynamodb talks to it over HTTP: the same code path as production.
 * `dataDir` null keeps everything in memory (tests). dynalite (and LevelDB under it) is imported here, on first
 * use, so the production shape (an external DynamoDB) never loads it: ~2 MB of heap and a native addon.
 */
export async function startEmbeddedDynamo(dataDir: string | null, port = 0): Promise<EmbeddedDynamo> {
  const { default: dynalite } = await import('dynalite');
  // Without it every Query and Scan leaves a LevelDB iterator open (see there).
  closeLevelIteratorsOnRelease();
  let path: string | undefined;
  let lock: DataDirLock | null = null;
  if (dataDir !== null) {
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
    path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
  }
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          lock?.release();
          resolve();
        });
        server.closeAllConnections?.();
      }),
  };
}
