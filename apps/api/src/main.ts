import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { OperatorError } from '@app/common';
import { createApp } from './bootstrap.js';
import { ConfigurationError, loadConfiguration } from './config/configuration.js';

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
  if (config.env.LOG_FORMAT === 'json') logProcessWarningsAsJson();
  const app = await createApp(config);
  await app.listen(config.env.PORT, config.env.HOST);
  const logger = new Logger('Bootstrap');
  logger.log(
    `listening on http://${config.env.HOST}:${config.env.PORT} (storage: ${config.storage}, services file: ${config.servicesFile})`,
  );
  if (config.env.ADMIN_TOKEN_HASHES === '')
    logger.warn('ADMIN_TOKEN_HASHES is empty: every /api/admin request is refused');
}

/**
 * Node prints process warnings (e.g. the AWS SDK's multi-line Node-version notice) as raw text on stderr, which
 * breaks one-JSON-object-per-line logs: route them through the JSON logger instead.
 */
function logProcessWarningsAsJson(): void {
  const logger = new Logger('Process');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn(`${warning.name}: ${warning.message}`));
}

bootstrap().catch((error: unknown) => {
  // An OperatorError already says what to do; a stack trace would only bury it.
  const text =
    error instanceof OperatorError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`fatal: ${text}\n`);
  process.exit(1);
});
