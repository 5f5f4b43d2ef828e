import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP server on 127.0.0.1 and a random port, for the local stand-ins of the tests (targets, Slack, SNS);
 * `stop` closes it at once, destroying open (even hung) connections.
 */
export abstract class LoopbackServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  protected abstract handle(request: IncomingMessage, response: ServerResponse): void;

  /** Starts listening; resolves to the origin, e.g. http://127.0.0.1:41234. */
  protected async listen(): Promise<string> {
    const server = createServer((request, response) => this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

/** A loopback server that records messages; `waitFor` resolves as soon as enough have arrived. */
export abstract class MessageReceiver<T> extends LoopbackServer {
  readonly messages: T[] = [];
  private waiters: (() => void)[] = [];

  protected received(message: T): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once `count` messages were recorded; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.constructor.name}: ${this.messages.length} of ${count} messages after ${timeoutMs}ms`);
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
}
