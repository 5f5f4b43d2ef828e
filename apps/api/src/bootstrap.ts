import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { parseCidrList } from '@app/monitoring';
import { AppModule, type AppOverrides } from './app.module.js';
import type { Configuration } from './config/configuration.js';
import { registerJsonBodyParser, RejectMalformedBody } from './http/errors/json-body-parser.js';
import { helmetHeaders } from './http/security-headers.js';
import { serveDashboard } from './web/serve-dashboard.js';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

/**
 * X-Forwarded-For is believed only when the socket peer is a trusted proxy (TRUSTED_PROXY_CIDRS), and then only
 * for TRUST_PROXY_HOPS hops: hop 0 is the peer (the ALB), hop 1 the next proxy (CloudFront), and so on.
 */
function proxyTrust(hops: number, cidrs: string): false | ((address: string, hop: number) => boolean) {
  if (hops === 0) return false;
  const trusted = new BlockList();
  for (const cidr of parseCidrList(cidrs)) trusted.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return (address, hop) => (hop === 0 ? trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4') : hop < hops);
}

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
  const adapter = new FastifyAdapter({
    trustProxy: proxyTrust(config.env.TRUST_PROXY_HOPS, config.env.TRUSTED_PROXY_CIDRS),
    bodyLimit: 64 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The router rejects a malformed URL (400) or an over-long path parameter (414) before any hook runs; answer
    // those in the API's error shape too, without echoing the path.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const statusCode = error.statusCode ?? 400;
      void reply
        .code(statusCode)
        .header('content-type', 'application/json; charset=utf-8')
        .header('x-request-id', request.id)
        .header('x-content-type-options', 'nosniff')
        .send(
          JSON.stringify({
            statusCode,
            error: statusCode === 414 ? 'URI Too Long' : 'Bad Request',
            message:
              statusCode === 414
                ? '(url): a path segment is longer than 100 characters'
                : '(url): is not a valid URL path',
          }),
        );
    },
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  options.beforeRoutes?.(adapter);
  const logger = options.logger ?? (config.env.LOG_FORMAT === 'json' ? new ConsoleLogger({ json: true }) : undefined);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, options), adapter, {
    // Our own JSON parser (registerJsonBodyParser) replaces Nest's, so errors name the field.
    bodyParser: false,
    // Throw instead of process.exit so main.ts (and tests) report the cause.
    abortOnError: false,
    ...(logger === undefined ? {} : { logger }),
  });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new RejectMalformedBody());
  app.enableShutdownHooks();
  const origins = config.env.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    app.enableCors({ origin: origins, methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 });
  }
  const fastify = app.getHttpAdapter().getInstance();
  const securityHeaders = helmetHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(securityHeaders).header('x-request-id', request.id);
    done();
  });
  registerJsonBodyParser(fastify);
  const http = new Logger('Http');
  fastify.addHook('onResponse', (request, reply, done) => {
    done();
    if (!request.url.startsWith('/api/admin') && reply.statusCode < 500) return;
    // User-controlled text is JSON-encoded so it cannot forge log lines.
    const actor = (request as { adminActor?: string }).adminActor ?? '-';
    http.log(
      `${request.id} ${request.method} ${JSON.stringify(request.url.slice(0, 300))} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms actor=${actor} ip=${request.ip}`,
    );
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CloudOps Status Page API')
      .setDescription('Public status (no auth) and the admin API (bearer token; see README → Admin API).')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An admin token from npm run admin-token' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', raw: ['json'] });
  await serveDashboard(app, config.env.WEB_DIR);
  return app;
}
