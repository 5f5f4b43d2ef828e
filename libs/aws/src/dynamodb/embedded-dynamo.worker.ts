import { parentPort, workerData } from 'node:worker_threads';
import { closeDynalite, listenDynalite } from './dynalite-server.js';
import type { EmbeddedThreadData, FromEmbeddedThread, ToEmbeddedThread } from './embedded-dynamo.protocol.js';

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
  const { server, port: bound, numbers } = await listenDynalite(data.path, data.port);
  post({ type: 'listening', port: bound, numbers });
  port.on('message', (message: ToEmbeddedThread) => {
    // Then the thread ends: nothing else keeps its event loop alive.
    if (message.type === 'close') void closeDynalite(server).then(() => port.close());
  });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
