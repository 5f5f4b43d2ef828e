import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  CertificateAlertStore,
  DisabledSubscriptionGateway,
  IncidentStore,
  OutboxStore,
  SubscriptionGateway,
} from '@app/incidents';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { AuditLog } from '@app/common';
import {
  CatalogStore,
  ChangeFeedStore,
  CheckStore,
  CoordinationStore,
  HeartbeatStore,
  PageStore,
  StateAndRollupStore,
} from '@app/monitoring';
import { DynamoAuditLog } from './adapters/dynamo-audit.log.js';
import { DynamoChangeFeedStore } from './adapters/dynamo-change-feed.store.js';
import { DynamoCoordinationStore } from './adapters/dynamo-coordination.store.js';
import { DynamoIncidentStore } from './adapters/dynamo-incident.store.js';
import { DynamoOutboxStore } from './adapters/dynamo-outbox.store.js';
import { SnsNotifier } from './adapters/sns.notifier.js';
import { SnsSubscriberNotifier, SnsSubscriptionGateway } from './adapters/sns-subscribers.js';
import { DynamoCatalogStore } from './adapters/dynamo-catalog.store.js';
import { DynamoCertificateAlertStore } from './adapters/dynamo-certificate-alert.store.js';
import { DynamoHeartbeatStore } from './adapters/dynamo-heartbeat.store.js';
import { DynamoCheckStore } from './adapters/dynamo-check.store.js';
import { DynamoStateAndRollupStore } from './adapters/dynamo-state-and-rollup.store.js';
import { DynamoPageStore } from './adapters/dynamo-page.store.js';
import { startEmbeddedDynamo, type EmbeddedDynamo } from './dynamodb/embedded-dynamo.js';
import { EmbeddedExpiry, EXPIRY_SCHEDULE, type ExpirySchedule } from './dynamodb/embedded-expiry.js';
import { ensureTables, verifyTables } from './dynamodb/ensure-tables.js';
import { tableNames, type TableNames } from './dynamodb/tables.js';

export interface AwsModuleOptions {
  region: string;
  tablePrefix: string;
  /**
   * Run dynalite in-process, persisted under this directory (null = in memory), on a worker thread of its own unless
   * `thread` is false. Undefined = use AWS / endpoint.
   */
  embedded?: { dataDir: string | null; thread?: boolean; expiry?: ExpirySchedule };
  /** Explicit DynamoDB endpoint (tests); otherwise the SDK's own AWS_ENDPOINT_URL_DYNAMODB or AWS. */
  endpoint?: string;
  /** Create missing tables at boot (local modes). In AWS, Terraform owns the tables. */
  createTables: boolean;
  checkRetentionDays: number;
  /** Days a daily rollup is kept after its day (DEFAULT_ROLLUP_RETENTION_DAYS when unset). */
  rollupRetentionDays?: number;
  /** Alerts go to this SNS topic when set (endpoint overridable with the SDK's AWS_ENDPOINT_URL_SNS). */
  snsTopicArn?: string;
  /** Visitor subscriptions and notices use this SNS topic when set; unset = subscriptions disabled. */
  subscribersTopicArn?: string;
}

export const AWS_OPTIONS = Symbol('AWS_OPTIONS');
export const EMBEDDED_DYNAMO = Symbol('EMBEDDED_DYNAMO');
export const TABLE_NAMES = Symbol('TABLE_NAMES');
/** The SNS notifier, or null when SNS_TOPIC_ARN is not set. */
export const SNS_NOTIFIER = Symbol('SNS_NOTIFIER');
/** The visitors' notifier (subscribers topic), or null when SUBSCRIBERS_TOPIC_ARN is not set. */
export const SUBSCRIBER_NOTIFIER = Symbol('SUBSCRIBER_NOTIFIER');
const TABLES_READY = Symbol('TABLES_READY');
/** The embedded store's expiry sweeps (what TTL does in AWS), or null with an external DynamoDB. */
const EMBEDDED_EXPIRY = Symbol('EMBEDDED_EXPIRY');

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An SNS client with the SDK's own endpoint and credential resolution (AWS_ENDPOINT_URL_SNS locally). */
const snsClient = (region: string) => new SNSClient({ region, maxAttempts: 2 });

/** Storage readiness for /api/health: a GetItem on a key that never exists (no extra IAM permission). */
@Injectable()
export class DynamoHealth {
  constructor(
    private readonly client: DynamoDBClient,
    @Inject(TABLE_NAMES) private readonly names: TableNames,
  ) {}

  async ping(timeoutMs = 2000): Promise<void> {
    await this.client.send(
      new GetItemCommand({ TableName: this.names.state, Key: { serviceId: { S: '#health' }, key: { S: 'ping' } } }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  }
}

@Injectable()
class AwsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  constructor(
    @Inject(EMBEDDED_DYNAMO) private readonly embedded: EmbeddedDynamo | null,
    @Inject(EMBEDDED_EXPIRY) private readonly expiry: EmbeddedExpiry | null,
    private readonly client: DynamoDBClient,
  ) {}

  onApplicationBootstrap(): void {
    this.expiry?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.expiry?.stop();
    this.client.destroy();
    if (this.embedded) {
      await this.embedded.close();
      this.logger.log('embedded DynamoDB closed');
    }
  }
}

/** A port bound to its DynamoDB adapter, built once the tables exist. */
function adapter<T>(
  port: abstract new (...args: never[]) => T,
  build: (client: DynamoDBClient, names: TableNames) => T,
): Provider {
  return {
    provide: port,
    inject: [DynamoDBClient, TABLE_NAMES, TABLES_READY],
    useFactory: (client: DynamoDBClient, names: TableNames) => build(client, names),
  };
}

/** The only module that touches @aws-sdk: DynamoDB client, local tables, and the storage adapters. */
@Module({})
export class AwsModule {
  static register(options: AwsModuleOptions): DynamicModule {
    return {
      module: AwsModule,
      global: true,
      providers: [
        { provide: AWS_OPTIONS, useValue: options },
        { provide: TABLE_NAMES, useValue: tableNames(options.tablePrefix) },
        {
          provide: EMBEDDED_DYNAMO,
          useFactory: async () => {
            if (!options.embedded) return null;
            const embedded = await startEmbeddedDynamo(
              options.embedded.dataDir,
              options.embedded.thread === false ? { thread: null } : {},
            );
            new Logger('Storage').log(
              `embedded DynamoDB on ${embedded.onThread ? 'a thread of its own' : 'the main thread'} at ${embedded.endpoint}`,
            );
            if (embedded.numbers !== 'text')
              new Logger('Storage').warn(
                'embedded DynamoDB: dynalite loaded as shipped, sizing numbers with big.js (slower, the same answers; see libs/aws/src/dynamodb/dynalite-number-size.ts)',
              );
            return embedded;
          },
        },
        {
          provide: DynamoDBClient,
          inject: [EMBEDDED_DYNAMO],
          useFactory: (embedded: EmbeddedDynamo | null) => {
            const endpoint = embedded?.endpoint ?? options.endpoint;
            return new DynamoDBClient({
              region: options.region,
              maxAttempts: 3,
              // The middleware stack resolved once per command class instead of on every send (nothing changes the
              // stack after the first request): a restore-like load, 3,000 Queries 16 in flight against the embedded
              // store, took 2.2–2.3 s of the main thread instead of 2.4–2.8 s (docs/bench.md, session 33).
              cacheMiddleware: true,
              // A request that hangs (a network partition, a stopped endpoint) fails instead of waiting forever:
              // buffered writes retry, and the lease logic sees the heartbeat fail.
              requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
              ...(endpoint ? { endpoint } : {}),
              // Embedded dynalite and explicit test endpoints ignore credentials; AWS uses the default chain.
              ...(embedded || options.endpoint ? { credentials: LOCAL_CREDENTIALS } : {}),
            });
          },
        },
        {
          provide: TABLES_READY,
          inject: [DynamoDBClient, TABLE_NAMES],
          useFactory: async (client: DynamoDBClient, names: TableNames) => {
            if (options.createTables) await ensureTables(client, names);
            else await verifyTables(client, names, { region: options.region, prefix: options.tablePrefix });
            return true;
          },
        },
        {
          provide: EMBEDDED_EXPIRY,
          inject: [EMBEDDED_DYNAMO, DynamoDBClient, TABLE_NAMES, TABLES_READY],
          useFactory: (embedded: EmbeddedDynamo | null, client: DynamoDBClient, names: TableNames) =>
            embedded ? new EmbeddedExpiry(client, names, options.embedded?.expiry ?? EXPIRY_SCHEDULE) : null,
        },
        adapter(CheckStore, (client, names) => new DynamoCheckStore(client, names.checks, options.checkRetentionDays)),
        adapter(
          StateAndRollupStore,
          (client, names) => new DynamoStateAndRollupStore(client, names.state, options.rollupRetentionDays),
        ),
        adapter(CatalogStore, (client, names) => new DynamoCatalogStore(client, names.services)),
        adapter(PageStore, (client, names) => new DynamoPageStore(client, names.state)),
        adapter(HeartbeatStore, (client, names) => new DynamoHeartbeatStore(client, names.state)),
        adapter(CertificateAlertStore, (client, names) => new DynamoCertificateAlertStore(client, names.state)),
        adapter(AuditLog, (client, names) => new DynamoAuditLog(client, names.audit)),
        adapter(IncidentStore, (client, names) => new DynamoIncidentStore(client, names.incidents)),
        adapter(OutboxStore, (client, names) => new DynamoOutboxStore(client, names.outbox)),
        adapter(CoordinationStore, (client, names) => new DynamoCoordinationStore(client, names.coord)),
        adapter(ChangeFeedStore, (client, names) => new DynamoChangeFeedStore(client, names.coord)),
        {
          provide: SNS_NOTIFIER,
          useFactory: () =>
            options.snsTopicArn ? new SnsNotifier(snsClient(options.region), options.snsTopicArn) : null,
        },
        {
          provide: SUBSCRIBER_NOTIFIER,
          useFactory: () =>
            options.subscribersTopicArn
              ? new SnsSubscriberNotifier(snsClient(options.region), options.subscribersTopicArn)
              : null,
        },
        {
          provide: SubscriptionGateway,
          useFactory: () =>
            options.subscribersTopicArn
              ? new SnsSubscriptionGateway(snsClient(options.region), options.subscribersTopicArn)
              : new DisabledSubscriptionGateway(),
        },
        DynamoHealth,
        AwsLifecycle,
      ],
      exports: [
        DynamoDBClient,
        TABLE_NAMES,
        CheckStore,
        StateAndRollupStore,
        CatalogStore,
        PageStore,
        HeartbeatStore,
        CertificateAlertStore,
        AuditLog,
        IncidentStore,
        OutboxStore,
        CoordinationStore,
        ChangeFeedStore,
        SNS_NOTIFIER,
        SUBSCRIBER_NOTIFIER,
        SubscriptionGateway,
        DynamoHealth,
        AWS_OPTIONS,
      ],
    };
  }
}
