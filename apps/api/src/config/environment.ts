import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsString, Matches, MaxLength, validateSync } from 'class-validator';
import {
  flattenValidationErrors,
  IntInRange,
  Optional,
  redactedValue,
  registerSecret,
  type FieldError,
} from '@app/common';
import { DEFAULT_MONITORING_OPTIONS, IsDuration, parseCidrList, parseDuration } from '@app/monitoring';

/**
 * Every environment variable the process reads, validated at boot. This file and configuration.ts are the
 * only places that look at process.env (the AWS SDK reads its own AWS_* variables).
 */
export class EnvironmentVariables {
  @IntInRange(1, 65535)
  PORT = 3000;

  @IsString()
  @Matches(/^[\w.:-]+$/, { message: 'must be an IP address or host name to listen on' })
  HOST = '0.0.0.0';

  /**
   * Prometheus GET /metrics on a listener of its own; 0 = off. Never the public PORT: the ALB and CloudFront only
   * reach PORT, so no routing change there can expose the metrics.
   */
  @IntInRange(0, 65535)
  METRICS_PORT = 0;

  /** Where the metrics listener binds: loopback by default (a scraper on the host); 0.0.0.0 for one in the VPC. */
  @IsString()
  @Matches(/^[\w.:-]+$/, { message: 'must be an IP address or host name to listen on' })
  METRICS_HOST = '127.0.0.1';

  @IsString()
  @MaxLength(1024)
  STATUS_CONFIG = 'config/services.yaml';

  /** Reload the services file when it changes (besides SIGHUP). */
  @IsIn([true, false], { message: 'must be "true" or "false"' })
  STATUS_CONFIG_WATCH = true;

  /** HTTP, TCP and DNS checks on a thread of their own, started at their due millisecond there. */
  @IsIn([true, false], { message: 'must be "true" or "false"' })
  PROBE_THREAD = true;

  /**
   * How often the next full garbage collection compacts the whole old generation (HeapCompactor): the committed
   * heap falls back to the live one, for one ~0.1 s pause of the main thread at 10,000 services. "0s" = off.
   */
  @IsDuration(0, 3_600_000, true)
  HEAP_COMPACT_EVERY = '1m';

  /**
   * How often the status page is stored whole (and at a clean stop), so a boot serves it while it reads every
   * service (StoredPageService). "0s" = never stored, never served: a boot serves status after its read.
   */
  @IsDuration(0, 86_400_000, true)
  STORED_PAGE_EVERY = '5m';

  /** The embedded DynamoDB (dynalite, LevelDB) on a thread of its own; ignored with an external DynamoDB. */
  @IsIn([true, false], { message: 'must be "true" or "false"' })
  EMBEDDED_DYNAMO_THREAD = true;

  @IsString()
  @MaxLength(1024)
  DATA_DIR = './data';

  @IsString()
  @MaxLength(4096)
  TARGET_ALLOW_CIDRS = '';

  @Optional()
  @IsIn(['embedded', 'aws'], { message: 'must be "embedded" or "aws"' })
  STORAGE?: 'embedded' | 'aws';

  /** Read only to choose the mode; the SDK uses it itself. */
  @Optional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  AWS_ENDPOINT_URL_DYNAMODB?: string;

  @IsString()
  @Matches(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' })
  AWS_REGION = 'us-east-1';

  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{0,100}$/, { message: 'must be at most 100 characters of A-Z, a-z, 0-9, "_", "-" or "."' })
  DYNAMODB_TABLE_PREFIX = 'statuspage-';

  @IntInRange(1, 400)
  CHECK_RETENTION_DAYS = 30;

  /**
   * Daily rollups expire this many days after their day: at least the days the page shows (a shorter one would
   * empty its bars). A boot reads each service's copy of its finished days instead of every day kept, unless it
   * falls back to Scanning the state table (no copies yet), which reads every day kept.
   */
  @IntInRange(DEFAULT_MONITORING_OPTIONS.historyDays, 3650)
  ROLLUP_RETENTION_DAYS = 100;

  @IntInRange(1, 5000)
  CHECK_CONCURRENCY = 256;

  @IsString()
  @MaxLength(1024)
  WEB_DIR = 'dist/web/browser';

  @IntInRange(0, 3600)
  STATUS_CACHE_SECONDS = 10;

  @IntInRange(0, 5)
  TRUST_PROXY_HOPS = 0;

  @IsIn(['text', 'json'], { message: 'must be "text" or "json"' })
  LOG_FORMAT: 'text' | 'json' = 'text';

  /**
   * Where the immediate peer must be for X-Forwarded-For to be believed (the ALB's subnets in AWS). With
   * TRUST_PROXY_HOPS=2 (CloudFront → ALB → app) the client is the address before the last two hops.
   */
  @IsString()
  @MaxLength(4096)
  TRUSTED_PROXY_CIDRS = '127.0.0.0/8,::1/128';

  /** SHA-256 hex digests of the admin tokens (npm run admin-token); empty disables the admin API. */
  @IsString()
  @Matches(/^([0-9a-fA-F]{64}(\s*,\s*[0-9a-fA-F]{64})*)?$/, {
    message: 'must be comma-separated SHA-256 hex digests (64 characters each); generate one with npm run admin-token',
  })
  ADMIN_TOKEN_HASHES = '';

  @IntInRange(1, 1000)
  ADMIN_AUTH_FAILURES_PER_MINUTE = 10;

  /** Origins allowed to call the API cross-origin (comma-separated); empty = same origin only. */
  @IsString()
  @Matches(/^(https?:\/\/[\w.-]+(:\d+)?(\s*,\s*https?:\/\/[\w.-]+(:\d+)?)*)?$/, {
    message: 'must be comma-separated origins such as https://status.example.com',
  })
  CORS_ORIGINS = '';

  /** Alerts: SNS topic (email subscriptions etc.). Unset = no SNS alerts. */
  @Optional()
  @Matches(/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, {
    message: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
  })
  SNS_TOPIC_ARN?: string;

  /**
   * Visitor subscriptions ("Subscribe to updates"): SNS topic the API subscribes e-mail addresses to (with a filter
   * policy on the chosen services) and publishes visitor notices to. Unset = subscriptions disabled.
   */
  @Optional()
  @Matches(/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, {
    message: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
  })
  SUBSCRIBERS_TOPIC_ARN?: string;

  /** Subscribe requests one client IP may make per hour (valid or not). */
  @IntInRange(1, 1000)
  SUBSCRIBE_PER_IP_PER_HOUR = 5;

  /** Subscriptions the whole page accepts per hour (each one makes AWS send a confirmation e-mail). */
  @IntInRange(1, 100_000)
  SUBSCRIBE_GLOBAL_PER_HOUR = 100;

  /** Heartbeat pings one token may send per minute (more get 429); each accepted ping is one DynamoDB write. */
  @IntInRange(1, 600)
  HEARTBEAT_PINGS_PER_MINUTE = 12;

  /** Heartbeat pings with an unknown or revoked token one client IP may send per minute before 429. */
  @IntInRange(1, 10_000)
  HEARTBEAT_UNKNOWN_PER_MINUTE = 30;

  /** Alerts: Slack incoming webhook. Unset = no Slack alerts. A secret: keep it in SSM, not in files. */
  @Optional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL (a Slack incoming webhook)' })
  SLACK_WEBHOOK_URL?: string;

  /** Re-alert while an automatic incident stays open, e.g. "1h". Unset = never. */
  @Optional()
  @IsDuration(60_000, 7 * 86_400_000)
  ALERT_REMINDER_EVERY?: string;

  /** First retry delay of a failed alert delivery (doubles per attempt, at most 5m). */
  @IsDuration(100, 60_000)
  ALERT_RETRY_MIN = '2s';

  /**
   * This replica's name in the coordination table; unset = generated at boot (host name + random suffix). Set it
   * to something stable per host (Ansible uses the inventory name) and a crashed replica that restarts takes its
   * shards back at once instead of after the lease.
   */
  @Optional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
    message: 'must be 1-63 characters of A-Z, a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
  })
  REPLICA_ID?: string;

  /** A dead replica's services are checked again by the others within this lease plus their interval. */
  @IsDuration(3_000, 120_000)
  REPLICA_LEASE = '15s';
  /** Slow clients: the whole request line and headers must arrive within this (Node's headersTimeout). */
  @IsDuration(1_000, 300_000, true)
  HTTP_HEADERS_TIMEOUT = '10s';

  /** Slow clients: the whole request, body included, must arrive within this (requestTimeout); then 408 and close. */
  @IsDuration(1_000, 600_000, true)
  HTTP_REQUEST_TIMEOUT = '30s';

  /** An idle keep-alive connection is closed after this; keep it above the load balancer's idle timeout (ALB: 60s). */
  @IsDuration(1_000, 600_000, true)
  HTTP_KEEP_ALIVE_TIMEOUT = '72s';

  /** Open connections one client address may hold; more are closed at once (trusted proxies are exempt). */
  @IntInRange(1, 100_000)
  MAX_CONNECTIONS_PER_IP = 128;

  /** Public URL of the status page, used in links (alerts, feeds). */
  @Optional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL?: string;
}

const BOOLEAN: (keyof EnvironmentVariables)[] = ['STATUS_CONFIG_WATCH', 'PROBE_THREAD', 'EMBEDDED_DYNAMO_THREAD'];

const NUMERIC: (keyof EnvironmentVariables)[] = [
  'PORT',
  'CHECK_RETENTION_DAYS',
  'ROLLUP_RETENTION_DAYS',
  'CHECK_CONCURRENCY',
  'STATUS_CACHE_SECONDS',
  'TRUST_PROXY_HOPS',
  'ADMIN_AUTH_FAILURES_PER_MINUTE',
  'SUBSCRIBE_PER_IP_PER_HOUR',
  'SUBSCRIBE_GLOBAL_PER_HOUR',
  'HEARTBEAT_PINGS_PER_MINUTE',
  'HEARTBEAT_UNKNOWN_PER_MINUTE',
  'METRICS_PORT',
  'MAX_CONNECTIONS_PER_IP',
];

/**
 * Every variable the class declares, read from the validation metadata: optional variables have no initialiser,
 * so a hand-kept list (or Object.keys of an instance) would silently ignore a newly added one.
 */
const VARIABLES = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
      .map((metadata) => metadata.propertyName as keyof EnvironmentVariables),
  ),
];

/** Variables whose values are credentials: registered for redaction, never echoed in an error line. */
export const SECRET_VARIABLES: readonly (keyof EnvironmentVariables)[] = ['SLACK_WEBHOOK_URL', 'ADMIN_TOKEN_HASHES'];

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * ADMIN_TOKEN_HASHES takes digests, but the likely mistake is pasting the token itself: say which entry is wrong
 * and what it looks like, never what it is.
 */
function adminHashErrors(raw: string | undefined): FieldError[] {
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw.split(',').map((entry) => entry.trim());
  return entries.flatMap((entry, index): FieldError[] => {
    if (SHA256_HEX.test(entry)) return [];
    const looksLikeToken = entry.startsWith('sp_');
    return [
      {
        path: entries.length > 1 ? `ADMIN_TOKEN_HASHES[${index}]` : 'ADMIN_TOKEN_HASHES',
        value: redactedValue(entry),
        rule: looksLikeToken
          ? 'is an admin token, not its hash: put the ADMIN_TOKEN_HASHES=<hash> line npm run admin-token printed here, and keep the token itself secret'
          : 'must be a SHA-256 hex digest (64 characters of 0-9, a-f); generate one with npm run admin-token',
      },
    ];
  });
}

/** Validates the environment; returns the typed values or field errors naming the variable, value and rule. */
export function validateEnvironment(env: Record<string, string | undefined>): {
  value: EnvironmentVariables;
  errors: FieldError[];
} {
  // Before anything can print them: every later log line or error masks these values wherever they appear.
  registerSecret(env.SLACK_WEBHOOK_URL);
  for (const entry of (env.ADMIN_TOKEN_HASHES ?? '').split(','))
    if (!SHA256_HEX.test(entry.trim())) registerSecret(entry);
  const plain: Record<string, unknown> = {};
  for (const key of VARIABLES) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    plain[key] = NUMERIC.includes(key) && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    if (BOOLEAN.includes(key) && /^(true|false)$/i.test(raw.trim())) plain[key] = raw.trim().toLowerCase() === 'true';
  }
  const value = plainToInstance(EnvironmentVariables, plain);
  const errors = [
    ...flattenValidationErrors(validateSync(value))
      .filter((error) => error.path !== 'ADMIN_TOKEN_HASHES')
      .map((error) =>
        SECRET_VARIABLES.includes(error.path as keyof EnvironmentVariables)
          ? { ...error, value: redactedValue(error.value) }
          : error,
      ),
    ...adminHashErrors(env.ADMIN_TOKEN_HASHES),
  ];
  for (const key of ['TRUSTED_PROXY_CIDRS', 'TARGET_ALLOW_CIDRS'] as const) {
    try {
      parseCidrList(value[key]);
    } catch (error) {
      errors.push({ path: key, value: value[key], rule: `must be comma-separated CIDRs: ${(error as Error).message}` });
    }
  }
  // Periods that are "0s" (off) or at least a floor; checked only when the duration itself is well-formed.
  const periods = [
    ['HEAP_COMPACT_EVERY', 10_000, '10s'],
    ['STORED_PAGE_EVERY', 60_000, '1m'],
  ] as const;
  for (const [path, floorMs, floor] of periods) {
    const ms = parseDuration(value[path]);
    if (errors.some((error) => error.path === path) || ms === null || ms === 0 || ms >= floorMs) continue;
    errors.push({ path, value: value[path], rule: `must be "0s" (off) or at least ${floor}` });
  }
  if (value.METRICS_PORT !== 0 && value.METRICS_PORT === value.PORT)
    errors.push({ path: 'METRICS_PORT', value: value.METRICS_PORT, rule: 'must differ from PORT (or be 0 for off)' });
  const headersMs = parseDuration(value.HTTP_HEADERS_TIMEOUT);
  const requestMs = parseDuration(value.HTTP_REQUEST_TIMEOUT);
  if (headersMs !== null && requestMs !== null && headersMs > requestMs) {
    errors.push({
      path: 'HTTP_HEADERS_TIMEOUT',
      value: value.HTTP_HEADERS_TIMEOUT,
      rule: `must not be longer than HTTP_REQUEST_TIMEOUT (${value.HTTP_REQUEST_TIMEOUT})`,
    });
  }
  return { value, errors };
}
