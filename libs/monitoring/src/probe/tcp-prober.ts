import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { TcpCheck } from '../catalog/service-definition.js';
import { shown } from './assertions/assertions.js';
import { certificateWarning, notAfterOf } from './certificate.js';
import { assertLiteralAllowed, describeError, guardedLookup, trustedCa } from './http-prober.js';
import { Prober, type ProbeResult, type ProbeTarget } from './prober.js';
import type { TargetPolicy } from './target-policy.js';

/** Bytes of a server's reply kept while waiting for `expect`. */
const MAX_REPLY_BYTES = 64 * 1024;

class ProbeFailure extends Error {}

/**
 * TCP probe: connect (every resolved address checked against the SSRF policy) within the deadline, optionally
 * complete a TLS handshake (verified unless insecureTls; the certificate's notAfter recorded), optionally send a
 * line and wait for an expected reply. One deadline over all of it.
 */
export class TcpProber extends Prober {
  private readonly lookup;
  private readonly ca: string[] | undefined;

  constructor(
    private readonly policy: TargetPolicy,
    options: { extraCa?: string[] } = {},
  ) {
    super();
    this.lookup = guardedLookup(policy);
    this.ca = trustedCa(options.extraCa);
  }

  async probe(target: ProbeTarget): Promise<ProbeResult> {
    const check = target.check;
    if (check.kind !== 'tcp') throw new Error(`TcpProber cannot check kind ${check.kind}`);
    const startedAt = Date.now();
    const started = performance.now();
    const elapsed = () => Math.max(0, Math.round(performance.now() - started));
    const sockets: Socket[] = [];
    let timer: NodeJS.Timeout | undefined;
    let certificateNotAfter: number | null = null;
    let reply = '';
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new ProbeFailure('deadline')), target.timeoutMs);
    });
    try {
      await Promise.race([
        deadline,
        this.exchange(
          check,
          sockets,
          (notAfter) => (certificateNotAfter = notAfter),
          (text) => (reply = text),
        ),
      ]);
      const latencyMs = elapsed();
      const cert = certificateNotAfter === null ? {} : { certificateNotAfter };
      const warning =
        certificateNotAfter === null
          ? null
          : certificateWarning(certificateNotAfter, Date.now(), check.certExpiryWarningDays);
      return { startedAt, ok: true, latencyMs, ...cert, ...(warning === null ? {} : { warning }) };
    } catch (error) {
      let reason: string;
      if (error instanceof ProbeFailure && error.message === 'deadline')
        reason =
          check.expect !== null && reply !== ''
            ? `assertion expect ${shown(check.expect)} failed: saw ${shown(reply)}`
            : `timeout after ${target.timeoutMs}ms`;
      else reason = error instanceof ProbeFailure ? error.message : describeError(error);
      return {
        startedAt,
        ok: false,
        latencyMs: elapsed(),
        error: reason.slice(0, 200),
        ...(certificateNotAfter === null ? {} : { certificateNotAfter }),
      };
    } finally {
      clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
    }
  }

  private async exchange(
    check: TcpCheck,
    sockets: Socket[],
    onCertificate: (notAfter: number) => void,
    onReply: (text: string) => void,
  ): Promise<void> {
    assertLiteralAllowed(check.host, this.policy);
    const plain = netConnect({ host: check.host, port: check.port, lookup: this.lookup });
    sockets.push(plain);
    await once(plain, 'connect');
    let socket: Socket = plain;
    if (check.tls) {
      const secure: TLSSocket = tlsConnect({
        socket: plain,
        ...(isIP(check.host) === 0 ? { servername: check.host } : {}),
        rejectUnauthorized: !check.insecureTls,
        ...(this.ca ? { ca: this.ca } : {}),
      });
      sockets.push(secure);
      await once(secure, 'secureConnect');
      const notAfter = notAfterOf(secure.getPeerCertificate(false));
      if (notAfter !== null) onCertificate(notAfter);
      socket = secure;
    }
    if (check.expect === null) {
      if (check.send !== null)
        await new Promise<void>((resolve, reject) => socket.write(check.send!, (e) => (e ? reject(e) : resolve())));
      return;
    }
    const expected = check.expect;
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text = (text + chunk.toString('latin1')).slice(-MAX_REPLY_BYTES);
        onReply(text);
        if (text.includes(expected)) resolve();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () =>
        reject(
          new ProbeFailure(
            `assertion expect ${shown(expected)} failed: ${text === '' ? 'connection closed without a reply' : `saw ${shown(text)}`}`,
          ),
        ),
      );
      if (check.send !== null) socket.write(check.send);
    });
  }
}

/** Resolves on the event, rejects on the socket's error (or a close before it). */
function once(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      socket.off(event, onEvent);
      reject(error);
    };
    const onEvent = () => {
      socket.off('error', onError);
      resolve();
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
  });
}
