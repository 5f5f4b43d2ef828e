import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server.js';

/**
 * A proxy in front of a DynamoDB endpoint that can hold requests: those `holds(operation, body)` picks wait until
 * `release()` (the operation is the X-Amz-Target's, e.g. "BatchGetItem"). Everything else passes at once. Lets a
 * test hold a boot's read of the services while the rest of the app runs on the real store.
 */
export class DynamoGate extends LoopbackServer {
  private held: (() => void)[] = [];
  private open = true;
  heldCount = 0;

  constructor(
    private readonly upstream: string,
    private readonly holds: (operation: string, body: string) => boolean,
  ) {
    super();
  }

  start(): Promise<string> {
    return this.listen();
  }

  /** From now on, the requests `holds` picks wait. */
  close(): void {
    this.open = false;
  }

  /** Lets every held request through, and the later ones at once. */
  release(): void {
    this.open = true;
    const waiting = this.held;
    this.held = [];
    for (const go of waiting) go();
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(request.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const forward = () => {
        const upstream = new URL(this.upstream);
        const outgoing = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: request.method,
            path: request.url,
            headers: { ...request.headers, host: upstream.host },
          },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
          },
        );
        outgoing.on('error', () => response.destroy());
        outgoing.end(body);
      };
      if (!this.open && this.holds(operation, body.toString())) {
        this.heldCount += 1;
        this.held.push(forward);
      } else forward();
    });
  }
}
