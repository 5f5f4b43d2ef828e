import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppOverrides } from './app.module.js';
import type { Configuration } from './config/configuration.js';
import { registerAccessLog } from './http/access-log.js';
import { registerJsonBodyParser, RejectMalformedBody } from './http/errors/json-body-parser.js';
import { limitConnectionsPerAddress } from './http/connection-limits.js';
import { createFastifyAdapter, trustedPeer } from './http/fastify-adapter.js';
import { setupOpenApi } from './http/openapi.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { serveDashboard } from './web/serve-dashboard.js';
import { RedactingLogger } from './logging.js';

export interface CreateAppOptions extends AppOverrides {
  /** Called with the Fastify instance before any route is registered (tests collect the route table). */
  beforeRoutes?: (adapter: FastifyAdapter) => void;
  /** false silences the app (tests); a LoggerService receives every line. */
  logger?: false | LoggerService;
}

/** Builds the whole application (not yet listening): used by main.ts and by the in-process tests. */
export async function createApp(
  config: Configuration,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = createFastifyAdapter(config.env);
  options.beforeRoutes?.(adapter);
  const logger = options.logger ?? new RedactingLogger({ json: config.env.LOG_FORMAT === 'json' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, options), adapter, {
    // Our own JSON parser (registerJsonBodyParser) replaces Nest's, so errors name the field.
    bodyParser: false,
    // Throw instead of process.exit so main.ts (and tests) report the cause.
    abortOnError: false,
    logger,
  });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new RejectMalformedBody());
  // Not SIGHUP (Nest's default list has it): SIGHUP reloads the services file (ServicesFileReloader).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const origins = config.env.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    app.enableCors({ origin: origins, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 });
  }
  const exempt = config.env.TRUST_PROXY_HOPS > 0 ? trustedPeer(config.env.TRUSTED_PROXY_CIDRS) : () => false;
  limitConnectionsPerAddress(app.getHttpServer(), config.env.MAX_CONNECTIONS_PER_IP, exempt);
  const fastify = app.getHttpAdapter().getInstance();
  registerSecurityHeaders(fastify);
  registerJsonBodyParser(fastify);
  registerAccessLog(fastify);
  setupOpenApi(app);
  await serveDashboard(app, config.env.WEB_DIR);
  return app;
}
