/** What the embedded store's thread is started with. */
export interface EmbeddedThreadData {
  /** LevelDB directory, or null to keep everything in memory. */
  path: string | null;
  /** Loopback port to listen on (0 = any free one). */
  port: number;
}

/** The thread's messages: listening on a port, or could not start (nothing is served then). */
export type FromEmbeddedThread = { type: 'listening'; port: number } | { type: 'failed'; message: string };

/** The one thing the main thread asks: stop serving, close the database, end the thread. */
export type ToEmbeddedThread = { type: 'close' };
