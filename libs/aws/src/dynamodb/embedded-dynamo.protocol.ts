import type { NumberSizing } from './dynalite-number-size.js';

/** What the embedded store's thread is started with. */
export interface EmbeddedThreadData {
  /** LevelDB directory, or null to keep everything in memory. */
  path: string | null;
  /** Loopback port to listen on (0 = any free one). */
  port: number;
}

/** The thread's messages: listening on a port (and how its dynalite sizes numbers), or could not start. */
export type FromEmbeddedThread =
  { type: 'listening'; port: number; numbers: NumberSizing } | { type: 'failed'; message: string };

/** The one thing the main thread asks: stop serving, close the database, end the thread. */
export type ToEmbeddedThread = { type: 'close' };
