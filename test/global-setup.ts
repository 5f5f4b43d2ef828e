import dynalite from 'dynalite';
import type { Server } from 'node:http';

/** Starts one in-memory dynalite on a random loopback port for every medium/e2e suite. */
export default async function globalSetup(): Promise<void> {
  const server = (dynalite as unknown as (opts: object) => Server)({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a TCP port');
  process.env.TEST_DYNAMODB_ENDPOINT = `http://127.0.0.1:${address.port}`;
  (globalThis as { __dynalite?: Server }).__dynalite = server;
}
