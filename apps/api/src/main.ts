import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { ConfigurationError, loadConfiguration } from './config/configuration.js';
import { serveDashboard } from './web/serve-dashboard.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfiguration(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Fastify accepts a hop count for trustProxy; its adapter's typings only list boolean/string forms.
  const trustProxy = (config.env.TRUST_PROXY_HOPS || false) as unknown as boolean;
  const adapter = new FastifyAdapter({ trustProxy, bodyLimit: 64 * 1024 });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    logger: config.env.LOG_FORMAT === 'json' ? ['log', 'warn', 'error'] : undefined,
  });
  app.setGlobalPrefix('api');
  app.enableShutdownHooks();
  await serveDashboard(app, config.env.WEB_DIR);
  await app.listen(config.env.PORT, config.env.HOST);
  new Logger('Bootstrap').log(
    `listening on http://${config.env.HOST}:${config.env.PORT} (storage: ${config.storage}, services file: ${config.servicesFile})`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
