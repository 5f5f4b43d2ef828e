import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { OperatorError } from '@app/common';
import { MonitoringScheduler, MonitorService, parseDuration } from '@app/monitoring';
import { BootHeap } from './boot-heap.js';
import { createApp, listenDuringInit } from './bootstrap.js';
import { HeapCompactor } from './heap-compactor.js';
import { ConfigurationError, loadConfiguration } from './config/configuration.js';
import { routeConsoleToJson, writeBootMessage } from './logging.js';

/**
 * JSON logs are decided before the configuration is validated (LOG_FORMAT itself may be what is wrong), so even
 * "Invalid configuration" and a fatal start-up error stay one JSON object per line.
 */
const json = process.env.LOG_FORMAT?.trim() === 'json';
// Node prints process warnings (the AWS SDK's multi-line Node-version notice) and libraries print with console.*
// (the cron package's missed-tick warning) as raw text: route both into JSON lines from the first line on, before
// any module that could emit one is constructed.
if (json) {
  logProcessWarningsAsJson();
  routeConsoleToJson();
}
const bootHeap = new BootHeap();
bootHeap.begin();

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = await loadConfiguration(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      writeBootMessage(error.message, { json, context: 'Configuration' });
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  const logger = new Logger('Bootstrap');
  const listening = () =>
    logger.log(
      `listening on http://${config.env.HOST}:${config.env.PORT} (storage: ${config.storage}, services file: ${config.servicesFile})`,
    );
  // A boot with a stored page to serve listens while its read of every service goes on; otherwise after it.
  let early = false;
  app.get(MonitoringScheduler).listenEarly(async () => {
    await listenDuringInit(app, config.env.PORT, config.env.HOST);
    // Status is served: the rest of the read climbs at the steady state's step. With the boot's step, a full GC in
    // the middle of the read (the copies held as text) let the heap double from there: the first interval's peak
    // RSS rose from ~460 to 530–630 MB at 10,000 services (docs/bench.md).
    bootHeap.end();
    early = true;
    listening();
  });
  await app.init();
  if (!early) {
    await app.listen(config.env.PORT, config.env.HOST);
    listening();
  }
  // Serving: what still loads (recent checks, in the background and paced) allocates at the steady state's step,
  // so the heap does not climb further than it must.
  bootHeap.end();
  // Periods start once the boot's background restore is in: a compaction holds the live heap twice for its length,
  // and the boot's garbage should be gone by then, not doubled.
  const compactor = new HeapCompactor(parseDuration(config.env.HEAP_COMPACT_EVERY) ?? 0);
  void app
    .get(MonitorService)
    .whenRestored()
    .then(() => compactor.start());
  if (config.env.ADMIN_TOKEN_HASHES === '')
    logger.warn('ADMIN_TOKEN_HASHES is empty: every /api/admin request is refused');
}

function logProcessWarningsAsJson(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    writeBootMessage(`${warning.name}: ${warning.message}`, { json: true, level: 'warn', context: 'Process' }),
  );
}

bootstrap().catch((error: unknown) => {
  // An OperatorError already says what to do; a stack trace would only bury it.
  const text =
    error instanceof OperatorError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  writeBootMessage(`fatal: ${text}`, { json });
  process.exit(1);
});
