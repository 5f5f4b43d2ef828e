import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { formatFieldError, type FieldError } from '@app/common';
import { parseDuration, parseServicesFile, TargetPolicy, type MonitoredService } from '@app/monitoring';
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

/** Reads and validates the services file (YAML) against the same DTOs the admin API uses. */
export function loadServicesFile(path: string, policy: TargetPolicy): MonitoredService[] {
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
  let plain: unknown;
  try {
    plain = parseYaml(text, { maxAliasCount: 100 }) ?? { services: [] };
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
  const result = parseServicesFile(plain, policy);
  if (result.value === null) throw new ConfigurationError(path, result.errors);
  return result.value;
}

export function loadConfiguration(processEnv: Record<string, string | undefined>): Configuration {
  const { value: env, errors } = validateEnvironment(processEnv);
  if (errors.length > 0) throw new ConfigurationError('the environment', errors);
  const policy = new TargetPolicy(env.TARGET_ALLOW_CIDRS);
  const servicesFile = resolve(env.STATUS_CONFIG);
  const services = loadServicesFile(servicesFile, policy);
  const storage: StorageMode = env.STORAGE ?? (env.AWS_ENDPOINT_URL_DYNAMODB ? 'aws' : 'embedded');
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const replicaId = env.REPLICA_ID ?? generatedReplicaId();
  const leaseMs = parseDuration(env.REPLICA_LEASE) as number;
  return { env, storage, services, servicesFile, policy, publicBaseUrl, replicaId, leaseMs };
}

/** The Nest config namespace the controllers read (ConfigService.getOrThrow('http.statusCacheSeconds')). */
export const namespaces = (config: Configuration) => [
  registerAs('http', () => ({
    statusCacheSeconds: config.env.STATUS_CACHE_SECONDS,
    publicBaseUrl: config.publicBaseUrl,
  })),
];
