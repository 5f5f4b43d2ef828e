import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { formatFieldError, type FieldError } from '@app/common';
import type { PageInfo } from '@app/contracts';
import {
  checkTargetUrl,
  parseDuration,
  parseServicesFile,
  TargetPolicy,
  TargetResolver,
  type HostLookup,
  type MonitoredService,
} from '@app/monitoring';
import { parsePageConfig, type PageConfig } from './page-config.js';
import { ParsedYamlCache } from './parsed-yaml-cache.js';
import { validateEnvironment, type EnvironmentVariables } from './environment.js';

/** Thrown at boot for a bad environment or services file; main.ts prints it and exits non-zero. */
export class ConfigurationError extends Error {
  constructor(
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super(`Invalid configuration in ${source}:\n${errors.map((error) => `  - ${formatFieldError(error)}`).join('\n')}`);
  }
}

export type StorageMode = 'embedded' | 'aws';

/** Everything the process needs, validated once before Nest starts. */
export interface Configuration {
  env: EnvironmentVariables;
  storage: StorageMode;
  services: MonitoredService[];
  /** The services file's `page:` section: branding and display order. */
  page: PageConfig;
  servicesFile: string;
  policy: TargetPolicy;
  /** The page's public URL without a trailing slash (links in alerts and the feed). */
  publicBaseUrl: string;
  /** REPLICA_ID, or a name generated for this boot. */
  replicaId: string;
  leaseMs: number;
}

/** A replica name for this boot: the host name (cut to what REPLICA_ID allows) and a random suffix. */
export function generatedReplicaId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 40) || 'replica';
  return `${host}-${randomBytes(3).toString('hex')}`;
}

/** What the services file holds, validated. */
export interface ServicesFile {
  services: MonitoredService[];
  page: PageConfig;
}

/** Where the services file's parse is kept between boots (ParsedYamlCache): beside the data. */
export function servicesFileCache(env: Pick<EnvironmentVariables, 'DATA_DIR'>): ParsedYamlCache {
  return new ParsedYamlCache(resolve(join(env.DATA_DIR, 'services-file.parsed.json')));
}

/**
 * Reads and validates the services file: syntax, every service against the same DTOs the admin API uses, and
 * every host name against the SSRF policy (resolved now, as the probe will resolve it at connect time). Used at
 * boot and for every reload, so both refuse a file with the same lines. With a `cache`, a text parsed before is
 * not parsed again (its stored tree is validated the same way), and a valid file's tree is stored.
 */
export async function readServicesFile(
  path: string,
  resolver: TargetResolver,
  cache: ParsedYamlCache | null = null,
): Promise<ServicesFile> {
  const { text, plain, cached } = readYaml(path, cache);
  // Serialized before validation reads it: what is stored is the parser's tree, nothing derived from it.
  const entry = cache !== null && !cached ? cache.prepare(text, plain) : null;
  // Every URL that is a well-formed http(s) URL is resolved, also when other entries are broken: one run of the
  // file names every problem, as at boot.
  const list = (plain as { services?: unknown } | null)?.services;
  const targets = (Array.isArray(list) ? (list as unknown[]) : []).flatMap((entry, index) => {
    const url = (entry as { url?: unknown } | null)?.url;
    const at = `services[${index}].url`;
    return typeof url === 'string' && checkTargetUrl(url, resolver.policy, at).length === 0 ? [{ path: at, url }] : [];
  });
  const resolved = await resolver.check(targets);
  const parsed = parseFile(plain, resolver.policy);
  const errors = sortByEntry([...parsed.errors, ...resolved]);
  if (parsed.value === null || errors.length > 0) throw new ConfigurationError(path, errors);
  entry?.write();
  return parsed.value;
}

/** The services file's syntax and rules, without resolving host names (what can be checked synchronously). */
export function loadServicesFile(path: string, policy: TargetPolicy): ServicesFile {
  const parsed = parseFile(readYaml(path, null).plain, policy);
  if (parsed.value === null) throw new ConfigurationError(path, parsed.errors);
  return parsed.value;
}

function parseFile(
  plain: unknown,
  policy: TargetPolicy,
): { value: ServicesFile; errors: [] } | { value: null; errors: FieldError[] } {
  const result = parseServicesFile(plain, policy);
  const page = parsePageConfig(
    plain !== null && typeof plain === 'object' ? (plain as Record<string, unknown>)['page'] : undefined,
  );
  const errors = [...result.errors, ...page.errors];
  if (result.value === null || page.value === null || errors.length > 0) return { value: null, errors };
  return { value: { services: result.value, page: page.value }, errors: [] };
}

/** Errors in file order: services[2] before services[10], each entry's own problems in the order found. */
function sortByEntry(errors: FieldError[]): FieldError[] {
  const entry = (error: FieldError) => Number(/^services\[(\d+)\]/.exec(error.path)?.[1] ?? -1);
  return errors
    .map((error, index) => ({ error, index }))
    .sort((a, b) => entry(a.error) - entry(b.error) || a.index - b.index)
    .map(({ error }) => error);
}

function readYaml(path: string, cache: ParsedYamlCache | null): { text: string; plain: unknown; cached: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError('the environment', [
      {
        path: 'STATUS_CONFIG',
        value: path,
        rule: `must name a readable YAML file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      },
    ]);
  }
  const stored = cache?.get(text);
  if (stored !== undefined) return { text, plain: stored ?? { services: [] }, cached: true };
  let plain: unknown;
  try {
    // ParsedYamlCache.parser names these options: change both together.
    plain = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    throw new ConfigurationError(path, [
      {
        path: '(file)',
        value: undefined,
        rule: `is not valid YAML${where}: ${(error as Error).message.split('\n')[0]}`,
      },
    ]);
  }
  return { text, plain: plain ?? { services: [] }, cached: false };
}

export interface ConfigurationOptions {
  /** Host names are resolved with this (tests answer without DNS); the system resolver by default. */
  lookup?: HostLookup;
}

export async function loadConfiguration(
  processEnv: Record<string, string | undefined>,
  options: ConfigurationOptions = {},
): Promise<Configuration> {
  const { value: env, errors } = validateEnvironment(processEnv);
  if (errors.length > 0) throw new ConfigurationError('the environment', errors);
  const policy = new TargetPolicy(env.TARGET_ALLOW_CIDRS);
  const servicesFile = resolve(env.STATUS_CONFIG);
  const { services, page } = await readServicesFile(
    servicesFile,
    new TargetResolver(policy, options.lookup),
    servicesFileCache(env),
  );
  const storage: StorageMode = env.STORAGE ?? (env.AWS_ENDPOINT_URL_DYNAMODB ? 'aws' : 'embedded');
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const replicaId = env.REPLICA_ID ?? generatedReplicaId();
  const leaseMs = parseDuration(env.REPLICA_LEASE) as number;
  return { env, storage, services, page, servicesFile, policy, publicBaseUrl, replicaId, leaseMs };
}

/** The page as the snapshot publishes it: the file's branding plus what the environment switches on. */
export function pageInfo(config: Pick<Configuration, 'env'>, page: PageConfig): PageInfo {
  return { ...page.info, subscriptions: config.env.SUBSCRIBERS_TOPIC_ARN !== undefined };
}

/** The Nest config namespace the controllers read (ConfigService.getOrThrow('http.statusCacheSeconds')). */
export const namespaces = (config: Configuration) => [
  registerAs('http', () => ({
    statusCacheSeconds: config.env.STATUS_CACHE_SECONDS,
    publicBaseUrl: config.publicBaseUrl,
  })),
];
