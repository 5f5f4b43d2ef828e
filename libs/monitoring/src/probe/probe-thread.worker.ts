import { parentPort, workerData } from 'node:worker_threads';
import type { CheckKind } from '@app/contracts';
import { DnsProber } from './dns-prober.js';
import { HttpProber } from './http-prober.js';
import { loadAxios } from './lazy-axios.js';
import type { Prober } from './prober.js';
import { cancelled, type FromProbeThread, type ProbeThreadData, type ToProbeThread } from './probe-thread.protocol.js';
import { TcpProber } from './tcp-prober.js';
import { TargetPolicy } from './target-policy.js';
import { whenDue, type DueWait } from './when-due.js';

/**
 * The probe thread (see ThreadedProber): holds each check until its due millisecond on an event loop that does
 * nothing else, runs it with the same probers the main thread would, and posts the result back. Its own timers and
 * sockets, so neither the start of a check nor its measured latency waits for the API's work on the main thread.
 */
const port = parentPort;
if (port === null) throw new Error('probe-thread.worker must run in a worker thread');
const { allowCidrs } = workerData as ProbeThreadData;
const policy = new TargetPolicy(allowCidrs);
const probers: Record<Exclude<CheckKind, 'heartbeat'>, Prober> = {
  http: new HttpProber(policy),
  tcp: new TcpProber(policy),
  dns: new DnsProber(policy),
};
// Loaded before the thread takes a check (messages wait until the listener below), so none waits for the import.
await loadAxios();
/** Checks waiting for their due time, by id. */
const waiting = new Map<number, DueWait>();

const post = (message: FromProbeThread) => port.postMessage(message);

function run(id: number, message: Extract<ToProbeThread, { type: 'probe' }>): void {
  waiting.delete(id);
  const kind = message.target.check.kind;
  if (kind === 'heartbeat') {
    post({ type: 'failed', id, message: 'heartbeat checks are not run on the probe thread' });
    return;
  }
  probers[kind].probe(message.target).then(
    (result) => post({ type: 'result', id, result }),
    (error: unknown) => post({ type: 'failed', id, message: String(error) }),
  );
}

/** A check that has not started resolves `pending`; one that has runs to its end. */
function cancel(id: number): void {
  if (!waiting.get(id)?.cancel()) return;
  waiting.delete(id);
  post({ type: 'result', id, result: cancelled() });
}

port.on('message', (message: ToProbeThread) => {
  if (message.type === 'cancel-waiting') for (const id of [...waiting.keys()]) cancel(id);
  else if (message.type === 'cancel') cancel(message.id);
  else {
    const wait = whenDue(message.at, () => run(message.id, message));
    if (wait.pending) waiting.set(message.id, wait);
  }
});
post({ type: 'ready' });
