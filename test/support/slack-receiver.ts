import type { IncomingMessage, ServerResponse } from 'node:http';
import { MessageReceiver } from './loopback-server.js';

/**
 * A local stand-in for a Slack incoming webhook on 127.0.0.1: records every POSTed JSON body in `messages` and
 * answers 200 "ok" like Slack does, or a chosen failure status, or nothing at all (to exercise timeouts).
 */
export class SlackReceiver extends MessageReceiver<unknown> {
  /** Every request seen, answered or not (method, path, content-type). */
  readonly requests: { method: string; path: string; contentType: string | undefined }[] = [];
  url = '';
  private failStatus: number | null = null;
  private silent = false;

  async start(path = '/services/T000/B000/XXXXXXXX'): Promise<this> {
    this.url = `${await this.listen()}${path}`;
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

  protected handle(request: IncomingMessage, response: ServerResponse): void {
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
      this.received(body);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}
