import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppOverrides } from './app.module.js';
import type { Configuration } from './config/configuration.js';
import { MonitoringScheduler } from '@app/monitoring';
import { registerAccessLog } from './http/access-log.js';
import { registerBootGate } from './http/boot-gate.js';
import { registerJsonBodyParser, RejectMalformedBody } from './http/errors/json-body-parser.js';
import { limitConnectionsPerAddress } from './http/connection-limits.js';
import { createFastifyAdapter, trustedPeer } from './http/fastify-adapter.js';
import { FastReads } from './http/fast-reads.js';
import { setupOpenApi } from './http/openapi.js';
import { helmetHeaders, registerSecurityHeaders } from './http/security-headers.js';
import { serveDashboard } from './web/serve-dashboard.js';
import { RedactingLogger } from './logging.js';

const API_PREFIX = 'api';

export interface CreateAppOptions extends Omit<AppOverrides, 'fastReads'> {
  /** Called with the Fastify instance before any route is registered (tests collect the route table). */
  beforeRoutes?: (adapter: FastifyAdapter) => void;
  /** false silences the app (tests); a LoggerService receives every line. */
  logger?: false | LoggerService;
}

/**
 * Starts the HTTP server on an app whose `init()` is still running (a boot serving the stored page, see
 * MonitoringScheduler.listenEarly): the routes and hooks are registered before the modules' bootstrap hooks run.
 */
export function listenDuringInit(app: NestFastifyApplication, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = app.getHttpServer();
    server.once('error', reject);
    app.getHttpAdapter().listen(port, host, (error?: Error | null) => {
      server.removeListener('error', reject);
      if (error) reject(error);
      else resolve();
    });
  });
}

/** Builds the whole application (not yet listening): used by main.ts and by the in-process tests. */
export async function createApp(
  config: Configuration,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const origins = config.env.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  // The hot public reads are answered before Fastify (the controllers register them); CORS headers depend on the
  // request's Origin, so with CORS configured every request takes the full pipeline.
  const fastReads = new FastReads({
    prefix: `/${API_PREFIX}/`,
    securityHeaders: helmetHeaders(),
    enabled: origins.length === 0,
  });
  const adapter = createFastifyAdapter(config.env, fastReads.respond, (server) => fastReads.attach(server));
  options.beforeRoutes?.(adapter);
  const logger = options.logger ?? new RedactingLogger({ json: config.env.LOG_FORMAT === 'json' });
  const module = AppModule.register(config, { ...options, fastReads });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    // Our own JSON parser (registerJsonBodyParser) replaces Nest's, so errors name the field.
    bodyParser: false,
    // Throw instead of process.exit so main.ts (and tests) report the cause.
    abortOnError: false,
    logger,
  });
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new RejectMalformedBody());
  // Not SIGHUP (Nest's default list has it): SIGHUP reloads the services file (ServicesFileReloader).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  if (origins.length > 0) {
    app.enableCors({ origin: origins, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 });
  }
  const exempt = config.env.TRUST_PROXY_HOPS > 0 ? trustedPeer(config.env.TRUSTED_PROXY_CIDRS) : () => false;
  limitConnectionsPerAddress(app.getHttpServer(), config.env.MAX_CONNECTIONS_PER_IP, exempt);
  const fastify = app.getHttpAdapter().getInstance();
  // While closing, Fastify answers 503 and lets connections drain: the fast path steps aside.
  fastify.addHook('preClose', (done) => {
    fastReads.stop();
    done();
  });
  // A boot that serves the stored page listens before its read of every service is in (MonitoringScheduler).
  const scheduler = app.get(MonitoringScheduler);
  registerBootGate(fastify, () => scheduler.isOpen);
  fastReads.serveOnceReady(() => scheduler.isOpen);
  registerSecurityHeaders(fastify);
  registerJsonBodyParser(fastify);
  registerAccessLog(fastify);
  setupOpenApi(app);
  await serveDashboard(app, config.env.WEB_DIR);
  return app;
}
