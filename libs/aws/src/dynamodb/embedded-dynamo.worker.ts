import { parentPort, workerData } from 'node:worker_threads';
import {
  dynaliteOptions,
  type EmbeddedThreadData,
  type FromEmbeddedThread,
  type ToEmbeddedThread,
} from './embedded-dynamo.protocol.js';
import { closeLevelIteratorsOnRelease } from './level-iterators.js';

/**
 * The embedded store's thread (see startEmbeddedDynamo): dynalite and LevelDB with an event loop and a heap of their
 * own. It answers the app's DynamoDB requests over loopback HTTP as before; what moves off the main thread is
 * dynalite's work for each of them (parsing, big-number arithmetic, LevelDB reads and writes, and their garbage).
 */
const port = parentPort;
if (port === null) throw new Error('embedded-dynamo.worker must run in a worker thread');
const data = workerData as EmbeddedThreadData;
const post = (message: FromEmbeddedThread) => port.postMessage(message);

try {
  const { default: dynalite } = await import('dynalite');
  // This thread loads its own copy of abstract-level: the fix for iterators that are never closed is applied here.
  closeLevelIteratorsOnRelease();
  const server = dynalite(dynaliteOptions(data.path));
  server.once('error', (error: Error) => post({ type: 'failed', message: error.message }));
  server.listen(data.port, '127.0.0.1', () => {
    const address = server.address();
    post({ type: 'listening', port: typeof address === 'object' && address ? address.port : data.port });
  });
  port.on('message', (message: ToEmbeddedThread) => {
    if (message.type !== 'close') return;
    // dynalite's close stops accepting, waits for the requests in flight and closes LevelDB; then the thread ends.
    server.close(() => port.close());
    server.closeAllConnections?.();
  });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
