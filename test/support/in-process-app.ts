import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, listenDuringInit } from '../../apps/api/src/bootstrap.js';
import { loadConfiguration } from '../../apps/api/src/config/configuration.js';
import { MonitoringScheduler, type HostLookup } from '@app/monitoring';

export interface TestApp {
  app: NestFastifyApplication;
  /** Settles when `init()` is done (at once unless started `early`). */
  booted: Promise<void>;
  /** Every route Fastify registered: method + url. */
  routes: { method: string; url: string }[];
  token: string;
  tablePrefix: string;
  /** The services file the app was started with (rewrite it to test reloads). */
  servicesFile: string;
  inject: NestFastifyApplication['inject'];
  close(): Promise<void>;
}

/**
 * The whole app in-process (Fastify inject, no socket), on the dynalite started by the Jest global setup with a
 * table prefix of its own. Tests that need a real process use app-process.ts instead.
 */
export async function createTestApp(
  options: {
    servicesYaml?: string;
    env?: Record<string, string>;
    /** Tables to use (e.g. prepared by the test); a fresh random prefix by default. */
    tablePrefix?: string;
    /** Receives the app's log lines; silent by default. */
    logger?: LoggerService;
    /** Answers host-name lookups (validation-time SSRF checks) instead of DNS. */
    lookup?: HostLookup;
    /** DynamoDB to use instead of the Jest global setup's (e.g. a proxy in front of it). */
    dynamodbEndpoint?: string;
    /**
     * Return as soon as the app serves a stored page (MonitoringScheduler.listenEarly: it then also listens, on a
     * free loopback port) or is booted, whichever comes first; `booted` settles when its boot is done.
     */
    early?: boolean;
    /**
     * When the app counts its process start (first checks spread within an interval of it, the boot's copies of
     * finished days after its first minute): the Jest worker's start unless set.
     */
    startedAt?: number;
  } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'status-api-'));
  writeFileSync(join(dir, 'services.yaml'), options.servicesYaml ?? 'services: []\n');
  const token = `sp_${randomBytes(24).toString('base64url')}`;
  const tablePrefix = options.tablePrefix ?? `t${randomBytes(4).toString('hex')}-`;
  const config = await loadConfiguration(
    {
      STATUS_CONFIG: join(dir, 'services.yaml'),
      DATA_DIR: dir,
      TARGET_ALLOW_CIDRS: '127.0.0.0/8',
      DYNAMODB_TABLE_PREFIX: tablePrefix,
      ADMIN_TOKEN_HASHES: createHash('sha256').update(token).digest('hex'),
      WEB_DIR: join(dir, 'no-web'),
      ...options.env,
    },
    options.lookup === undefined ? {} : { lookup: options.lookup },
  );
  const routes: { method: string; url: string }[] = [];
  const app = await createApp(config, {
    dynamodbEndpoint: options.dynamodbEndpoint ?? process.env.TEST_DYNAMODB_ENDPOINT!,
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }),
    logger: options.logger ?? false,
    beforeRoutes: (adapter) =>
      adapter.getInstance().addHook('onRoute', (route) => {
        for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
      }),
  });
  let booted: Promise<void>;
  if (options.early === true) {
    const scheduler = app.get(MonitoringScheduler);
    scheduler.listenEarly(() => listenDuringInit(app, 0, '127.0.0.1'));
    booted = app.init().then(() => undefined);
    booted.catch(() => undefined);
    await Promise.race([booted, scheduler.whenServingStored()]);
  } else {
    await app.init();
    booted = Promise.resolve();
  }
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    booted,
    routes,
    token,
    tablePrefix,
    servicesFile: join(dir, 'services.yaml'),
    inject: app.inject.bind(app),
    close: () => app.close(),
  };
}
