import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChangeFeed } from '../cluster/change-feed.js';
import { MonitorService } from '../monitor.service.js';
import { PageSettings } from '../status/page-settings.js';
import { StatusSnapshotService } from '../status/status-snapshot.service.js';
import { AuditLog, ConflictError, formatFieldError, InvalidInputError, NotFoundError, recordChange } from '@app/common';
import { REDACTED } from '@app/contracts';
import { newHeartbeatToken } from '../heartbeat/heartbeat-token.js';
import { HeartbeatService } from '../heartbeat/heartbeat.service.js';
import { CatalogStore, StateAndRollupStore, type StoredServiceDefinition } from '../ports.js';
import { TargetPolicy } from '../probe/target-policy.js';
import {
  definitionInput,
  KIND_FIELDS,
  toDefinition,
  upgradeStoredDefinition,
  type MonitoredService,
} from './service-definition.js';
import { TargetResolver } from '../probe/target-resolution.js';
import { parseServiceDefinition } from './validation.js';

export const CONFIG_SERVICES = Symbol('CONFIG_SERVICES');

/** Thrown when the API is asked to change a service that the services file owns. */
export class ConfigOwnedError extends ConflictError {}

/** A catalog change, and the heartbeat ping token when the change made one (shown to the admin this once). */
export interface CatalogChange {
  service: MonitoredService;
  heartbeatToken?: string;
}

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A PUT or PATCH body sends secrets back as REDACTED (it is what GET showed): those keep the stored value — a
 * secret header by its name, the auth secret when the auth type is unchanged — and a heartbeat keeps its token
 * hash unless a new one is given. Anything else is left for the validation to judge.
 */
export function restoreSecrets(body: unknown, before: MonitoredService): unknown {
  if (!isPlain(body)) return body;
  const out: Plain = { ...body };
  const check = before.check;
  if (check.kind === 'http' && Array.isArray(out.headers)) {
    out.headers = (out.headers as unknown[]).map((header) => {
      if (!isPlain(header) || header.value !== REDACTED || typeof header.name !== 'string') return header;
      const stored = check.headers.find(
        (h) => h.secret && h.name.toLowerCase() === (header.name as string).toLowerCase(),
      );
      return stored ? { ...header, value: stored.value } : header;
    });
  }
  if (check.kind === 'http' && isPlain(out.auth) && check.auth !== null && out.auth.type === check.auth.type) {
    const auth: Plain = { ...out.auth };
    if (check.auth.type === 'basic' && auth.password === REDACTED) auth.password = check.auth.password;
    if (check.auth.type === 'bearer' && auth.token === REDACTED) auth.token = check.auth.token;
    out.auth = auth;
  }
  const kind = out.kind ?? 'http';
  if (kind === 'heartbeat' && check.kind === 'heartbeat') {
    const heartbeat = out.heartbeat === undefined ? {} : out.heartbeat;
    if (isPlain(heartbeat) && heartbeat.tokenHash === undefined)
      out.heartbeat = { ...heartbeat, tokenHash: check.tokenHash };
  }
  return out;
}

/** A heartbeat definition without a token hash gets a new token (the API makes tokens; the file brings hashes). */
function withNewToken(body: unknown, id: unknown): { body: unknown; token?: string } {
  if (!isPlain(body) || body.kind !== 'heartbeat' || typeof id !== 'string') return { body };
  const heartbeat = body.heartbeat === undefined ? {} : body.heartbeat;
  if (!isPlain(heartbeat) || heartbeat.tokenHash !== undefined) return { body };
  const { token, tokenHash } = newHeartbeatToken(id);
  return { body: { ...body, heartbeat: { ...heartbeat, tokenHash } }, token };
}

/** What a services-file reload changed, by id. */
export interface FileReloadResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * The service catalog: services from the file (read-only at run time, `source: "config"`) merged with services
 * created through the admin API and stored in the database (`source: "api"`). The file wins on an id clash.
 * Every change is validated with the same DTOs as the file, stored, handed to the runner (effective on the next
 * tick), published to the other replicas and audited.
 */
@Injectable()
export class CatalogService {
  private readonly logger = new Logger('Catalog');
  private configIds: Set<string>;
  private reloading: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CONFIG_SERVICES) private configServices: MonitoredService[],
    private readonly store: CatalogStore,
    private readonly stateStore: StateAndRollupStore,
    private readonly monitor: MonitorService,
    private readonly audit: AuditLog,
    private readonly policy: TargetPolicy,
    private readonly snapshot: StatusSnapshotService,
    private readonly heartbeats: HeartbeatService,
    private readonly resolver: TargetResolver,
    private readonly page: PageSettings,
    private readonly feed: ChangeFeed,
  ) {
    this.configIds = new Set(configServices.map((service) => service.id));
    page.setFileOrder(this.fileOrder());
  }

  /** Ids of the services-file entries, in the file's order (the page's default display order). */
  fileOrder(): string[] {
    return this.configServices.map((service) => service.id);
  }

  /**
   * A services file edited at run time (SIGHUP or the file watcher), already validated like at boot: services that
   * left the file stop (their open incident closes as "removed from monitoring"), new ones start from their stored
   * history if they had one, changed ones take effect on the next tick. A stored API service that a file entry was
   * shadowing comes back when that entry goes. Reloads run one at a time.
   */
  reloadFile(services: MonitoredService[]): Promise<FileReloadResult> {
    const run = this.reloading.then(() => this.applyFile(services));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async applyFile(services: MonitoredService[]): Promise<FileReloadResult> {
    const before = new Map(this.configServices.map((service) => [service.id, service]));
    this.configServices = services;
    this.configIds = new Set(services.map((service) => service.id));
    this.page.setFileOrder(this.fileOrder());
    const wanted = await this.load();
    const wantedIds = new Set(wanted.map((service) => service.id));
    const result: FileReloadResult = { added: [], changed: [], removed: [] };
    for (const runtime of [...this.monitor.all()]) {
      if (wantedIds.has(runtime.service.id)) continue;
      this.monitor.remove(runtime.service.id);
      result.removed.push(runtime.service.id);
    }
    const fresh: MonitoredService[] = [];
    for (const service of wanted) {
      const current = this.monitor.get(service.id)?.service;
      if (current === undefined) {
        fresh.push(service);
        result.added.push(service.id);
      } else if (
        JSON.stringify(toDefinition(current)) !== JSON.stringify(toDefinition(service)) ||
        current.source !== service.source
      ) {
        this.monitor.upsert(service);
        result.changed.push(service.id);
      } else if (before.has(service.id)) {
        // Unchanged, but keep the file's copy (its written definition may differ in form only).
        this.monitor.upsert(service);
      }
    }
    if (fresh.length > 0) await this.monitor.load(fresh);
    this.snapshot.refresh(Date.now(), true);
    return result;
  }

  /**
   * The file's services plus the stored ones, each stored definition validated (with defaults) exactly like the
   * file's: an invalid item is named with its problems and skipped, never trusted and never fatal.
   */
  async load(): Promise<MonitoredService[]> {
    const merged = [...this.configServices];
    for (const stored of await this.store.list()) {
      const service = this.fromStore(stored);
      if (service) merged.push(service);
    }
    await this.heartbeats.sync(merged);
    return merged;
  }

  /** A stored definition validated like the file's; null (with a log line naming the problems) when unusable. */
  private fromStore({ id, definition }: StoredServiceDefinition): MonitoredService | null {
    if (this.configIds.has(id)) {
      this.logger.warn(`stored service ${JSON.stringify(id)} is shadowed by the services file`);
      return null;
    }
    const result = parseServiceDefinition(upgradeStoredDefinition(definition), this.policy, 'api', '', '(stored)');
    if (result.value === null) {
      this.logger.error(
        `stored service ${JSON.stringify(id)} skipped: ${result.errors.map(formatFieldError).join('; ')}`,
      );
      return null;
    }
    return result.value;
  }

  /**
   * Another replica created, changed or deleted a stored service: take its stored definition (or its absence)
   * as it is now. Its owner stops checking a deleted service within a feed poll, and removes what it wrote since.
   */
  async applyRemote(id: string): Promise<void> {
    if (this.configIds.has(id)) return;
    const stored = await this.store.get(id);
    const service = stored ? this.fromStore(stored) : null;
    if (service) {
      this.monitor.upsert(service);
    } else {
      const owned = this.monitor.owns(id);
      if (!this.monitor.remove(id)) return;
      if (owned) await this.stateStore.remove(id).catch(() => undefined);
    }
    this.snapshot.refresh(Date.now(), true);
  }

  list(): MonitoredService[] {
    return [...this.monitor.all()].map((runtime) => runtime.service).sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): MonitoredService {
    const service = this.monitor.get(id)?.service;
    if (!service) throw new NotFoundError(`service ${JSON.stringify(id)} does not exist`);
    return service;
  }

  async create(body: unknown, actor: string): Promise<CatalogChange> {
    const prepared = withNewToken(body, isPlain(body) ? body.id : undefined);
    const service = await this.validate(prepared.body);
    if (this.monitor.get(service.id)) throw new ConflictError(`service ${JSON.stringify(service.id)} already exists`);
    await this.store.create(definitionInput(service));
    return this.applied(service, actor, 'service.create', null, prepared.token);
  }

  /** PUT: the body is the whole new definition (omitted fields take their defaults; REDACTED keeps a secret). */
  async replace(id: string, body: unknown, actor: string): Promise<CatalogChange> {
    const before = this.writable(id);
    const withId = isPlain(body) && !('id' in body) ? { ...body, id } : body;
    const prepared = withNewToken(restoreSecrets(withId, before), id);
    const service = await this.validate(prepared.body, id);
    await this.store.replace(definitionInput(service));
    return this.applied(service, actor, 'service.replace', before, prepared.token);
  }

  /** PATCH: the body's fields are merged into the current definition, then the result is validated as a whole. */
  async patch(id: string, body: unknown, actor: string): Promise<CatalogChange> {
    const before = this.writable(id);
    if (!isPlain(body)) {
      throw new InvalidInputError([{ path: '(body)', value: body, rule: 'must be an object' }]);
    }
    const merged: Plain = { ...definitionInput(before) };
    // Fields of the old kind do not carry over into another kind.
    if (body.kind !== undefined && body.kind !== before.check.kind)
      for (const field of KIND_FIELDS[before.check.kind]) delete merged[field];
    for (const [key, value] of Object.entries(restoreSecrets(body, before) as Plain)) {
      if (value === null && (key === 'group' || key === 'latencyThresholdMs')) delete merged[key];
      else merged[key] = value;
    }
    const prepared = withNewToken(restoreSecrets(merged, before), id);
    const service = await this.validate(prepared.body, id);
    await this.store.replace(definitionInput(service));
    return this.applied(service, actor, 'service.update', before, prepared.token);
  }

  /** A new ping token for a heartbeat service: the old one stops working at once. Shown this once. */
  async rotateHeartbeatToken(id: string, actor: string): Promise<{ token: string; service: MonitoredService }> {
    const before = this.writable(id);
    if (before.check.kind !== 'heartbeat')
      throw new ConflictError(`service ${JSON.stringify(id)} is a ${before.check.kind} check, not a heartbeat`);
    const { token, tokenHash } = newHeartbeatToken(id);
    const definition = before.definition;
    const service: MonitoredService = {
      ...before,
      check: { ...before.check, tokenHash },
      ...(definition === undefined
        ? {}
        : { definition: { ...definition, heartbeat: { ...definition.heartbeat, tokenHash } } }),
    };
    // The stored token first: from here on only the new token is accepted, even if the catalog write fails.
    await this.heartbeats.setToken(id, tokenHash);
    await this.store.replace(definitionInput(service));
    this.monitor.upsert(service);
    this.feed.publish({ kind: 'service', id });
    await this.record(actor, 'service.heartbeat-token', id, before, service);
    return { token, service };
  }

  async delete(id: string, actor: string): Promise<void> {
    const before = this.writable(id);
    if (!(await this.store.delete(id))) throw new NotFoundError(`service ${JSON.stringify(id)} does not exist`);
    this.monitor.remove(id);
    this.feed.publish({ kind: 'service', id });
    this.snapshot.refresh(Date.now(), true);
    await this.stateStore
      .remove(id)
      .catch((error: unknown) => this.logger.warn(`removing state of ${JSON.stringify(id)} failed: ${String(error)}`));
    await this.record(actor, 'service.delete', id, before, null);
  }

  /** A stored change takes effect: the runner checks the new definition from the next tick, the page shows it. */
  private async applied(
    service: MonitoredService,
    actor: string,
    action: string,
    before: MonitoredService | null,
    heartbeatToken: string | undefined,
  ): Promise<CatalogChange> {
    if (service.check.kind === 'heartbeat') await this.heartbeats.setToken(service.id, service.check.tokenHash);
    this.monitor.upsert(service);
    this.feed.publish({ kind: 'service', id: service.id });
    this.snapshot.refresh(Date.now(), true);
    await this.record(actor, action, service.id, before, service);
    return { service, ...(heartbeatToken === undefined ? {} : { heartbeatToken }) };
  }

  private writable(id: string): MonitoredService {
    if (this.configIds.has(id)) {
      throw new ConfigOwnedError(
        `service ${JSON.stringify(id)} is defined in the services file; edit the file to change it (it is reloaded on save or SIGHUP)`,
      );
    }
    return this.get(id);
  }

  private async validate(body: unknown, expectedId?: string): Promise<MonitoredService> {
    const result = parseServiceDefinition(body, this.policy, 'api');
    if (result.value === null) throw new InvalidInputError(result.errors);
    const resolved = await this.resolver.check([{ path: 'url', url: result.value.url }]);
    if (resolved.length > 0) throw new InvalidInputError(resolved);
    if (expectedId !== undefined && result.value.id !== expectedId) {
      throw new InvalidInputError([
        {
          path: 'id',
          value: result.value.id,
          rule: `must match the id in the URL (${JSON.stringify(expectedId)}); ids cannot be changed`,
        },
      ]);
    }
    if (this.configIds.has(result.value.id)) {
      throw new ConfigOwnedError(
        `service ${JSON.stringify(result.value.id)} is defined in the services file; edit the file to change it (it is reloaded on save or SIGHUP)`,
      );
    }
    return result.value;
  }

  private async record(
    actor: string,
    action: string,
    targetId: string,
    before: MonitoredService | null,
    after: MonitoredService | null,
  ): Promise<void> {
    await recordChange(this.audit, this.logger, {
      at: Date.now(),
      actor,
      action,
      targetType: 'service',
      targetId,
      before: before && toDefinition(before),
      after: after && toDefinition(after),
    });
  }
}
