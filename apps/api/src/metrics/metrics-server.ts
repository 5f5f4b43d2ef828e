import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_OPTIONS, StatusMetrics, type MetricsOptions } from './status-metrics.js';

/**
 * GET /metrics on a listener of its own (METRICS_PORT, default off; METRICS_HOST, default 127.0.0.1), never on the
 * public port: the ALB target group and CloudFront only ever reach PORT, so no route or behaviour added there can
 * expose it, and the instance's security group admits nobody else on any other port.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    private readonly metrics: StatusMetrics,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {}

  /** Where it listens (port resolved when 0 was asked for in tests), or null when off. */
  get address(): AddressInfo | null {
    return (this.server?.address() as AddressInfo | null) ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.port === 0) return;
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: GET /metrics\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) =>
          response
            .writeHead(200, { 'content-type': this.metrics.registry.contentType, 'cache-control': 'no-store' })
            .end(request.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          this.logger.error(`collecting metrics failed: ${String(error)}`);
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on http://${this.options.host}:${this.address?.port ?? this.options.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
