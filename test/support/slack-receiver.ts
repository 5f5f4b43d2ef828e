import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for a Slack incoming webhook on 127.0.0.1: records every POSTed JSON body in `messages` and
 * answers 200 "ok" like Slack does, or a chosen failure status, or nothing at all (to exercise timeouts).
 */
export class SlackReceiver {
  readonly messages: unknown[] = [];
  /** Every request seen, answered or not (method, path, content-type). */
  readonly requests: { method: string; path: string; contentType: string | undefined }[] = [];
  url = '';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private failStatus: number | null = null;
  private silent = false;
  private waiters: (() => void)[] = [];

  async start(path = '/services/T000/B000/XXXXXXXX'): Promise<this> {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** Answer every following POST with `status` (e.g. 500) until called with null, which restores 200 "ok". */
  failWith(status: number | null): void {
    this.failStatus = status;
  }

  /** While on, requests are read but never answered. */
  hang(on: boolean): void {
    this.silent = on;
  }

  /** Resolves once `count` messages were recorded; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`SlackReceiver: ${this.messages.length} of ${count} messages after ${timeoutMs}ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
      });
      if (this.silent) return;
      if (request.method !== 'POST') {
        response.writeHead(405, { 'content-type': 'text/plain' }).end('method_not_allowed');
        return;
      }
      if (this.failStatus !== null) {
        // A 3xx points back at this receiver, so a client that followed redirects would be seen doing so.
        const location = this.failStatus >= 300 && this.failStatus < 400 ? { location: request.url ?? '/' } : {};
        response.writeHead(this.failStatus, { 'content-type': 'text/plain', ...location }).end('receiver_failure');
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
        return;
      }
      this.messages.push(body);
      for (const wake of this.waiters.splice(0)) wake();
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}
