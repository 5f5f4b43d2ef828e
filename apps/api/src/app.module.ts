import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { AwsModule, SNS_NOTIFIER, SUBSCRIBER_NOTIFIER } from '@app/aws';
import {
  DEFAULT_INCIDENT_OPTIONS,
  INCIDENT_OPTIONS,
  IncidentCache,
  IncidentsModule,
  NOTIFIERS,
  SlackNotifier,
  type Notifier,
} from '@app/incidents';
import {
  CLUSTER_OPTIONS,
  CONFIG_SERVICES,
  DEFAULT_CLUSTER_OPTIONS,
  DEFAULT_MONITORING_OPTIONS,
  MONITORING_OPTIONS,
  MonitoringModule,
  PageSettings,
  parseDuration,
  TargetPolicy,
  TargetResolver,
  type HostLookup,
} from '@app/monitoring';
import { namespaces, pageInfo, type Configuration } from './config/configuration.js';
import { RELOAD_CONFIGURATION, ServicesFileReloader } from './config/services-file-reloader.js';
import { AdminAuditController } from './http/admin/admin-audit.controller.js';
import { AdminIncidentsController, AdminMaintenanceController } from './http/admin/admin-incidents.controller.js';
import { IncidentsController } from './http/incidents/incidents.controller.js';
import { AdminServicesController } from './http/admin/admin-services.controller.js';
import { AdminSessionController } from './http/admin/admin-session.controller.js';
import { AdminAuthGuard, AUTH_FAILURES } from './http/auth/admin-auth.guard.js';
import { FailureLimiter } from './http/auth/failure-limiter.js';
import { ADMIN_TOKENS, AdminTokens } from './http/auth/admin-tokens.js';
import { ApiExceptionFilter } from './http/errors/api-exception.filter.js';
import { FastReads } from './http/fast-reads.js';
import { HealthController } from './http/health/health.controller.js';
import { HEARTBEAT_LIMITS, HeartbeatController } from './http/heartbeat/heartbeat.controller.js';
import { StatusController } from './http/status/status.controller.js';
import { StatuspageController } from './http/statuspage/statuspage.controller.js';
import { SubscriptionsController } from './http/subscriptions/subscriptions.controller.js';
import { SubscribeLimits } from './http/subscriptions/subscribe-limits.js';
import { MetricsServer } from './metrics/metrics-server.js';
import { METRICS_OPTIONS, StatusMetrics } from './metrics/status-metrics.js';

export interface AppOverrides {
  /** Tests: talk to this DynamoDB endpoint instead of starting the embedded one. */
  dynamodbEndpoint?: string;
  /** Tests: resolve host names with this instead of DNS (validation-time SSRF checks). */
  lookup?: HostLookup;
  /** Where the controllers register their hot reads (createApp puts it in front of Fastify); none: disabled. */
  fastReads?: FastReads;
  /** Tests: the process start the runner counts its first interval from (MonitoringOptions.startedAt). */
  startedAt?: number;
}

/** Composition root: validated configuration in, modules wired to their adapters. */
@Module({})
export class AppModule {
  static register(config: Configuration, overrides: AppOverrides = {}): DynamicModule {
    const embedded = config.storage === 'embedded' && !overrides.dynamodbEndpoint;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, load: namespaces(config) }),
        TerminusModule,
        AwsModule.register({
          region: config.env.AWS_REGION,
          tablePrefix: config.env.DYNAMODB_TABLE_PREFIX,
          ...(embedded
            ? { embedded: { dataDir: config.env.DATA_DIR, thread: config.env.EMBEDDED_DYNAMO_THREAD } }
            : {}),
          ...(overrides.dynamodbEndpoint ? { endpoint: overrides.dynamodbEndpoint } : {}),
          createTables:
            embedded ||
            (Boolean(overrides.dynamodbEndpoint ?? config.env.AWS_ENDPOINT_URL_DYNAMODB) &&
              config.env.STORAGE !== 'aws'),
          checkRetentionDays: config.env.CHECK_RETENTION_DAYS,
          rollupRetentionDays: config.env.ROLLUP_RETENTION_DAYS,
          ...(config.env.SNS_TOPIC_ARN ? { snsTopicArn: config.env.SNS_TOPIC_ARN } : {}),
          ...(config.env.SUBSCRIBERS_TOPIC_ARN ? { subscribersTopicArn: config.env.SUBSCRIBERS_TOPIC_ARN } : {}),
        }),
        MonitoringModule.register({
          imports: [],
          providers: [
            { provide: TargetPolicy, useValue: config.policy },
            { provide: TargetResolver, useValue: new TargetResolver(config.policy, overrides.lookup) },
            { provide: PageSettings, useValue: new PageSettings(pageInfo(config, config.page), config.page.order) },
            { provide: CONFIG_SERVICES, useValue: config.services },
            {
              provide: MONITORING_OPTIONS,
              useValue: {
                ...DEFAULT_MONITORING_OPTIONS,
                concurrency: config.env.CHECK_CONCURRENCY,
                probeThread: config.env.PROBE_THREAD,
                storedPageEveryMs: parseDuration(config.env.STORED_PAGE_EVERY) ?? 0,
                ...(overrides.startedAt === undefined ? {} : { startedAt: overrides.startedAt }),
              },
            },
            {
              provide: CLUSTER_OPTIONS,
              // The embedded DynamoDB lives inside this process: no other replica can share it.
              useValue: {
                ...DEFAULT_CLUSTER_OPTIONS,
                replicaId: config.replicaId,
                leaseMs: config.leaseMs,
                exclusive: embedded,
              },
            },
          ],
          activeIncidents: IncidentCache,
        }),
        IncidentsModule.register({
          providers: [
            {
              provide: INCIDENT_OPTIONS,
              useValue: {
                ...DEFAULT_INCIDENT_OPTIONS,
                publicBaseUrl: config.publicBaseUrl,
                reminderEveryMs: config.env.ALERT_REMINDER_EVERY
                  ? parseDuration(config.env.ALERT_REMINDER_EVERY)
                  : null,
                retryBaseMs: parseDuration(config.env.ALERT_RETRY_MIN) ?? DEFAULT_INCIDENT_OPTIONS.retryBaseMs,
              },
            },
            {
              provide: NOTIFIERS,
              inject: [SNS_NOTIFIER, SUBSCRIBER_NOTIFIER],
              useFactory: (sns: Notifier | null, subscribers: Notifier | null): Notifier[] => [
                ...(sns ? [sns] : []),
                ...(config.env.SLACK_WEBHOOK_URL ? [new SlackNotifier(config.env.SLACK_WEBHOOK_URL)] : []),
                ...(subscribers ? [subscribers] : []),
              ],
            },
          ],
        }),
      ],
      controllers: [
        StatusController,
        StatuspageController,
        SubscriptionsController,
        HeartbeatController,
        HealthController,
        IncidentsController,
        AdminServicesController,
        AdminSessionController,
        AdminAuditController,
        AdminIncidentsController,
        AdminMaintenanceController,
      ],
      providers: [
        { provide: ADMIN_TOKENS, useValue: AdminTokens.parse(config.env.ADMIN_TOKEN_HASHES) },
        {
          provide: AUTH_FAILURES,
          useValue: new FailureLimiter(config.env.ADMIN_AUTH_FAILURES_PER_MINUTE, 60_000, 60_000),
        },
        {
          provide: SubscribeLimits,
          useValue: new SubscribeLimits({
            perIpPerHour: config.env.SUBSCRIBE_PER_IP_PER_HOUR,
            globalPerHour: config.env.SUBSCRIBE_GLOBAL_PER_HOUR,
          }),
        },
        {
          provide: HEARTBEAT_LIMITS,
          useValue: {
            perToken: new FailureLimiter(config.env.HEARTBEAT_PINGS_PER_MINUTE, 60_000, 60_000),
            unknownPerClient: new FailureLimiter(config.env.HEARTBEAT_UNKNOWN_PER_MINUTE, 60_000, 60_000),
          },
        },
        { provide: METRICS_OPTIONS, useValue: { port: config.env.METRICS_PORT, host: config.env.METRICS_HOST } },
        { provide: RELOAD_CONFIGURATION, useValue: config },
        { provide: FastReads, useValue: overrides.fastReads ?? FastReads.disabled() },
        ServicesFileReloader,
        StatusMetrics,
        MetricsServer,
        { provide: APP_GUARD, useClass: AdminAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
