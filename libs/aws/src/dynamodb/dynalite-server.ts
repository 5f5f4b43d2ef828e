import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type dynaliteFactory from 'dynalite';
import { loadDynalite, type NumberSizing } from './dynalite-number-size.js';
import { closeLevelIteratorsOnRelease } from './level-iterators.js';

/**
 * dynalite on loopback, on whichever thread calls this (the store's own thread, or the caller's): imported here on
 * first use, so the production shape never loads it. Resolves once it listens, with the port it got and how it
 * sizes numbers (dynalite-number-size.ts).
 */
export async function listenDynalite(
  path: string | null,
  port: number,
): Promise<{ server: Server; port: number; numbers: NumberSizing }> {
  const { dynalite, numbers } = loadDynalite<typeof dynaliteFactory>();
  // Without it every Query and Scan leaves a LevelDB iterator open (see there). Each thread loads its own copy of
  // abstract-level, so each applies it.
  closeLevelIteratorsOnRelease();
  const server = dynalite({ ...(path ? { path } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port, numbers };
}

/** dynalite's close: stops accepting, waits for the requests in flight, closes LevelDB. */
export function closeDynalite(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
