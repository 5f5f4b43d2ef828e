import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer } from './loopback-server.js';

/** Behaviours a local target can be switched between at run time. */
export type TargetMode = 'ok' | 'fail' | 'slow' | 'hang' | 'reset' | 'loop' | 'big' | 'slowloris' | 'redirect';

/**
 * Local HTTP targets for end-to-end tests. Fixed paths (/ok, /fail, /slow, /hang, /reset, /loop, /big,
 * /slowloris, /redirect) behave as named; /t/<name> behaves as set with set(name, mode).
 */
export class TargetServer extends LoopbackServer {
  private readonly modes = new Map<string, TargetMode>();
  readonly hits = new Map<string, number>();
  /** Arrival time (epoch ms) of every request, per path, when `recordTimes` is on (the chaos suite matches them). */
  readonly hitTimes = new Map<string, number[]>();
  recordTimes = false;
  slowMs = 400;
  baseUrl = '';

  async start(): Promise<this> {
    this.baseUrl = await this.listen();
    return this;
  }

  set(name: string, mode: TargetMode): void {
    this.modes.set(name, mode);
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  protected handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    if (this.recordTimes) {
      const times = this.hitTimes.get(path) ?? [];
      times.push(Date.now());
      this.hitTimes.set(path, times);
    }
    const named = /^\/t\/([\w-]+)$/.exec(path);
    const mode: TargetMode = named ? (this.modes.get(named[1] ?? '') ?? 'ok') : ((path.slice(1) || 'ok') as TargetMode);
    switch (mode) {
      case 'ok':
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      case 'fail':
        response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      case 'slow':
        setTimeout(() => response.writeHead(200).end('slow ok'), this.slowMs);
        return;
      case 'hang':
        return; // never answers
      case 'reset':
        request.socket.destroy();
        return;
      case 'loop':
        response.writeHead(302, { location: path }).end();
        return;
      case 'redirect':
        response.writeHead(301, { location: '/ok' }).end();
        return;
      case 'big': {
        // 50 MB, streamed as fast as the client reads it.
        response.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': String(50 * 1024 * 1024),
        });
        const chunk = Buffer.alloc(64 * 1024, 97);
        let sent = 0;
        const pump = () => {
          while (sent < 50 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('close', () => (sent = Number.POSITIVE_INFINITY));
        pump();
        return;
      }
      case 'slowloris': {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => response.write('.'), 200);
        response.on('close', () => clearInterval(timer));
        return;
      }
      default: {
        const unreachable: never = mode;
        response.writeHead(404).end(String(unreachable));
      }
    }
  }
}
