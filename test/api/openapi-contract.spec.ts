import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createTestApp, type TestApp } from '../support/in-process-app.js';
import { SnsReceiver } from '../support/sns-receiver.js';

/**
 * The API contract tells the truth (issue 15): the document served at /api/openapi.json passes `redocly lint`
 * (pinned @redocly/cli, its built-in "recommended" rules, offline), and a fuzz run generated from the document
 * itself — valid requests from its schemas, and mutations of them — gets only documented statuses, every body
 * valid against the documented schema (ajv), over every operation with and without a token.
 */

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  nullable?: boolean;
  example?: unknown;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
};
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema?: Schema;
}
interface Response {
  description: string;
  content?: Record<string, { schema: Schema }>;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const YAML = `services:
  - { id: cfg, name: Config service, url: "http://127.0.0.1:9/", paused: true }
`;

describe('the OpenAPI document tells the truth', () => {
  let t: TestApp;
  let doc: Document;
  // Subscriptions on (a local SNS takes the Subscribe calls), so their success path is fuzzed too.
  const sns = new SnsReceiver();
  const saved = { ...process.env };

  beforeAll(async () => {
    await sns.start();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ACCESS_KEY_ID: 'fuzz',
      AWS_SECRET_ACCESS_KEY: 'fuzz',
    });
    t = await createTestApp({
      servicesYaml: YAML,
      env: {
        ADMIN_AUTH_FAILURES_PER_MINUTE: '1000',
        SUBSCRIBERS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:fuzz-subscribers',
        SUBSCRIBE_PER_IP_PER_HOUR: '1000',
        SUBSCRIBE_GLOBAL_PER_HOUR: '100000',
        HEARTBEAT_PINGS_PER_MINUTE: '600',
      },
    });
    doc = (await t.inject({ method: 'GET', url: '/api/openapi.json' })).json<Document>();
  });
  afterAll(async () => {
    await t?.close();
    await sns.stop();
    for (const key of ['AWS_ENDPOINT_URL_SNS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  });

  it('passes redocly lint (pinned @redocly/cli, recommended rules) with zero errors and zero warnings', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = resolve('node_modules/.bin/redocly');
    // Telemetry and the update check are the only network uses of the CLI; both off, it runs offline.
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const { stdout } = await promisify(execFile)(cli, ['lint', file, '--format=json'], { env, timeout: 60_000 }).catch(
      (error: { stdout: string }) => error,
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect({ totals: report.totals, problems }).toEqual({
      totals: { errors: 0, warnings: 0, ignored: 0 },
      problems: [],
    });
  }, 90_000);

  it('describes the opaque admin token, a PATCH with no required field, and the enforced constraints', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(String(doc.components.securitySchemes.bearer?.bearerFormat)).not.toMatch(/jwt/i);
    const schemas = doc.components.schemas;
    // One closed variant per check kind, so an http service cannot carry dns options (and the fuzz can't send them).
    expect(schemas.ServiceDefinition?.anyOf?.map((variant) => variant.$ref)).toEqual(
      ['Http', 'Tcp', 'Dns', 'Heartbeat'].map((kind) => `#/components/schemas/${kind}ServiceDefinition`),
    );
    const http = schemas.HttpServiceDefinition;
    expect(http?.properties?.dns).toBeUndefined();
    expect(schemas.DnsServiceDefinition?.properties?.url).toBeUndefined();
    expect(schemas.DnsServiceDefinition?.required).toEqual(['id', 'name', 'kind', 'dns']);
    expect(schemas.ServicePatch?.required).toBeUndefined();
    expect(schemas.ServicePatch?.anyOf?.every((variant) => variant.required === undefined)).toBe(true);
    expect(schemas.ServicePatch?.anyOf?.[0]?.properties?.group?.nullable).toBe(true);
    expect(http?.properties?.interval?.nullable).toBeUndefined();
    expect(http?.properties?.name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(http?.properties?.failureThreshold).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 20,
    });
    expect(http?.properties?.interval?.pattern).toBeDefined();
    expect(http?.properties?.expectedStatus?.items?.anyOf).toHaveLength(2);
    expect(http?.properties?.body).toMatchObject({ type: 'string', maxLength: 4096 });
    expect(schemas.AssertionsInput?.properties?.matches?.items).toMatchObject({ maxLength: 200 });
    expect(schemas.HttpAuthInput?.anyOf).toHaveLength(2);
    expect(schemas.SloDefinition?.properties?.target).toMatchObject({ minimum: 50, maximum: 99.999 });
    expect(schemas.CreateIncidentRequest?.properties?.title).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(schemas.MaintenanceRequest?.properties?.startsAt).toMatchObject({ format: 'date-time' });
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const success = Object.keys(operation.responses).filter((status) => /^2/.test(status));
        expect({ operation: `${method} ${path}`, success: success.length > 0 }).toEqual({
          operation: `${method} ${path}`,
          success: true,
        });
      }
    }
  });

  it('answers every generated request, valid or mutated, with and without a token, as documented', async () => {
    const run = new FuzzRun(t, doc);
    await run.setUp();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) await run.operation(path, method, operation);
    }
    // The numbers the report quotes.
    process.stdout.write(`openapi fuzz: ${run.summary()}\n`);
    expect(run.problems).toEqual([]);
    expect(run.operations).toBe(Object.values(doc.paths).flatMap((item) => Object.keys(item)).length);
    expect(run.requests).toBeGreaterThan(300);
    // The run reached the success paths, the auth wall, validation and the conditional answers.
    for (const status of [200, 201, 204, 304, 400, 401, 404, 413, 414, 415])
      expect({ status, seen: run.statuses.has(status) }).toEqual({ status, seen: true });
  }, 120_000);
});

/** Generates requests from the document and checks every answer against it. */
class FuzzRun {
  readonly problems: string[] = [];
  readonly statuses = new Map<number, number>();
  operations = 0;
  requests = 0;
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly validators = new Map<Schema, ValidateFunction>();
  private serial = 0;
  private incidentId = '';
  /** The ping token of a heartbeat service made for the run (the rotation route gets a service of its own). */
  private heartbeatToken = '';

  constructor(
    private readonly t: TestApp,
    private readonly doc: Document,
  ) {
    this.ajv.addSchema({ $id: 'openapi', components: doc.components });
  }

  summary(): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
    return `${this.operations} operations, ${this.requests} requests, statuses ${statuses.join(' ')}`;
  }

  /** What the path parameters must name: the services, incident and windows that exist (or are made for it). */
  async setUp(): Promise<void> {
    await this.admin('POST', '/api/admin/services', {
      id: 'checkout-api',
      name: 'Checkout',
      url: 'https://example.com/',
      paused: true,
    });
    await this.admin('POST', '/api/admin/services', {
      id: 'api-fz',
      name: 'Fuzz target',
      url: 'https://example.com/',
      paused: true,
    });
    for (const id of ['hb-fz', 'hb-rotate']) {
      const created = await this.admin('POST', '/api/admin/services', {
        id,
        name: 'Heartbeat',
        kind: 'heartbeat',
        paused: true,
      });
      if (id === 'hb-fz') this.heartbeatToken = created.json<{ heartbeatToken: string }>().heartbeatToken;
    }
    const incident = await this.admin('POST', '/api/admin/incidents', {
      title: 'Fuzz target',
      impact: 'minor',
      serviceIds: ['checkout-api'],
      message: 'Open while the fuzz run lasts.',
    });
    this.incidentId = incident.json<{ id: string }>().id;
  }

  private admin(method: 'POST', url: string, body: unknown) {
    return this.t.inject({
      method,
      url,
      headers: { authorization: `Bearer ${this.t.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  }

  /** A concrete value for each path parameter, by route: a fresh resource for a DELETE that consumes it. */
  private async pathValue(path: string, method: string, name: string): Promise<string> {
    if (path === '/api/admin/services/{id}/heartbeat-token') return 'hb-rotate';
    if (path.startsWith('/api/heartbeat/')) return this.heartbeatToken;
    if (path.startsWith('/api/admin/services/')) {
      if (method !== 'delete') return 'api-fz';
      const id = `del-${(this.serial += 1)}`;
      await this.admin('POST', '/api/admin/services', {
        id,
        name: 'To delete',
        url: 'https://example.com/',
        paused: true,
      });
      return id;
    }
    if (path.startsWith('/api/admin/maintenance/')) {
      const created = await this.admin('POST', '/api/admin/maintenance', {
        title: 'To cancel',
        serviceIds: ['checkout-api'],
        startsAt: '2099-01-01T00:00:00Z',
        endsAt: '2099-01-01T01:00:00Z',
        message: '',
      });
      return created.json<{ id: string }>().id;
    }
    if (path.includes('/incidents/')) return this.incidentId;
    if (name === 'file') return 'cfg.svg';
    return 'cfg';
  }

  async operation(path: string, method: string, operation: Operation): Promise<void> {
    this.operations += 1;
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    const secured = (operation.security ?? []).length > 0;
    const build = async (body: unknown) => {
      let url = path;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path')
          url = url.replace(
            `{${parameter.name}}`,
            encodeURIComponent(await this.pathValue(path, method, parameter.name)),
          );
      }
      return { url, body: this.adjust(path, method, url, body) };
    };
    const query = (mode: 'min' | 'full') =>
      (operation.parameters ?? [])
        .filter((p) => p.in === 'query' && (p.required || (mode === 'full' && p.schema?.default !== undefined)))
        .map((p) => `${p.name}=${encodeURIComponent(String(this.sample(p.schema ?? {}, mode)))}`)
        .join('&');

    for (const token of [true, false]) {
      for (const mode of ['min', 'full'] as const) {
        const { url, body } = await build(bodySchema ? this.sample(bodySchema, mode) : undefined);
        const q = query(mode);
        const response = await this.send(method, q ? `${url}?${q}` : url, operation, token, body);
        const want = !token && secured ? 401 : null;
        // Readiness may truthfully answer its documented 503 while the in-process scheduler has not ticked yet.
        const ready = path === '/api/health' && response.status === 503;
        if (want !== null ? response.status !== want : !/^2/.test(String(response.status)) && !ready)
          this.problems.push(
            `${method} ${path} (${mode}, token ${token}): valid request answered ${response.status}: ${response.body.slice(0, 200)}`,
          );
        const etag = response.headers.etag;
        if (typeof etag === 'string' && operation.responses['304']) {
          for (const match of [etag, `W/${etag}`]) {
            const again = await this.send(method, q ? `${url}?${q}` : url, operation, token, body, {
              'if-none-match': match,
            });
            if (again.status !== 304)
              this.problems.push(`${method} ${path}: If-None-Match ${match} answered ${again.status}`);
          }
        }
      }
      // Mutations: each must be refused with a documented 4xx (checked in send), never accepted.
      const { url, body } = await build(bodySchema ? this.sample(bodySchema, 'full') : undefined);
      const mutations: {
        label: string;
        url: string;
        body?: unknown;
        raw?: string;
        headers?: Record<string, string>;
      }[] = [];
      if (bodySchema) {
        for (const [label, mutated] of this.mutate(bodySchema, body)) mutations.push({ label, url, body: mutated });
        mutations.push({ label: 'malformed JSON', url, raw: '{"' });
        mutations.push({
          label: 'text/plain',
          url,
          raw: JSON.stringify(body),
          headers: { 'content-type': 'text/plain' },
        });
        mutations.push({ label: '65 KiB body', url, raw: JSON.stringify({ pad: 'x'.repeat(66_000) }) });
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in !== 'path') continue;
        const segment = (value: string) => path.replace(`{${parameter.name}}`, value).replace(/\{\w+\}/g, 'x');
        mutations.push({ label: `${parameter.name} too long`, url: segment('a'.repeat(101)), body });
        mutations.push({ label: `${parameter.name} unknown`, url: segment('no-such-thing'), body });
      }
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.schema?.maximum !== undefined)
          mutations.push({
            label: `${parameter.name} above maximum`,
            url: `${url}?${parameter.name}=${parameter.schema.maximum + 1}`,
          });
      }
      for (const mutation of mutations) {
        const response = await this.send(
          method,
          mutation.url,
          operation,
          token,
          mutation.body,
          mutation.headers,
          mutation.raw,
        );
        if (response.status < 400 || response.status >= 500)
          this.problems.push(`${method} ${path} (${mutation.label}, token ${token}): accepted with ${response.status}`);
      }
    }
  }

  /** Request details no schema can carry: unique ids for creates, the URL's id in PUT / PATCH bodies. */
  private adjust(path: string, method: string, url: string, body: unknown): unknown {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
    const copy = { ...(body as Record<string, unknown>) };
    if (path === '/api/admin/services' && method === 'post') copy.id = `fz-${(this.serial += 1)}`;
    if (path === '/api/admin/services/{id}' && 'id' in copy) copy.id = decodeURIComponent(url.split('/').pop() ?? '');
    return copy;
  }

  private async send(
    method: string,
    url: string,
    operation: Operation,
    token: boolean,
    body?: unknown,
    extra: Record<string, string> = {},
    raw?: string,
  ) {
    this.requests += 1;
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await this.t.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${this.t.token}` } : {}),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      ...(payload === undefined ? {} : { payload }),
    });
    const status = response.statusCode;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const documented = operation.responses[String(status)];
    const where = `${method.toUpperCase()} ${url.slice(0, 80)} → ${status}`;
    if (!documented) {
      this.problems.push(`${where}: status not documented (${response.body.slice(0, 160)})`);
      return { status, body: response.body, headers: response.headers };
    }
    const type = String(response.headers['content-type'] ?? '').split(';')[0] ?? '';
    const content = documented.content;
    if (!content) {
      if (response.body !== '')
        this.problems.push(`${where}: documented without a body, sent ${response.body.slice(0, 80)}`);
    } else if (!content[type]) {
      this.problems.push(`${where}: content-type ${type} not documented (${Object.keys(content).join(', ')})`);
    } else if (type === 'application/json') {
      const validate = this.validator(content[type].schema);
      if (!validate(JSON.parse(response.body)))
        this.problems.push(
          `${where}: body does not match its schema: ${this.ajv.errorsText(validate.errors).slice(0, 300)}`,
        );
    }
    return { status, body: response.body, headers: response.headers };
  }

  private validator(schema: Schema): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      const rebased = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
      ) as Schema;
      validate = this.ajv.compile(rebased);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  private resolve(schema: Schema): Schema {
    if (schema.$ref) return this.resolve(this.doc.components.schemas[schema.$ref.split('/').pop()!]!);
    // A request body that is one of several closed shapes (a service per check kind): fuzz the first.
    if (schema.anyOf && schema.type === undefined && this.resolve(schema.anyOf[0]!).type === 'object')
      return this.resolve(schema.anyOf[0]!);
    if (schema.allOf?.length === 1) return { ...this.resolve(schema.allOf[0]!), ...schema, allOf: undefined };
    return schema;
  }

  private addresses = 0;

  /**
   * A valid value: the documented example, else the default, else the first enum value, else the smallest fit.
   * E-mail addresses are new each time: one address per subscription is state the server rightly defends (409 for
   * another choice of services, 429 after a few confirmation mails), not a contract violation.
   */
  sample(input: Schema, mode: 'min' | 'full'): unknown {
    const schema = this.resolve(input);
    if (schema.format === 'email') return `fuzz-${(this.addresses += 1)}@example.com`;
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    if (schema.anyOf) return this.sample(schema.anyOf[0]!, mode);
    switch (schema.type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const [name, property] of Object.entries(schema.properties ?? {})) {
          if (mode === 'full' || schema.required?.includes(name)) out[name] = this.sample(property, mode);
        }
        return out;
      }
      case 'array':
        return Array.from({ length: schema.minItems ?? 0 }, () => this.sample(schema.items ?? {}, mode));
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'boolean':
        return false;
      default:
        return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    }
  }

  /** One mutation per broken rule, each applied to a copy of a valid body. */
  *mutate(input: Schema, valid: unknown): Generator<[string, unknown]> {
    const schema = this.resolve(input);
    yield ['an array instead of the object', [valid]];
    yield ['a string instead of the object', 'x'];
    yield ['an unknown field', { ...(valid as object), zzUnknown: 1 }];
    for (const name of schema.required ?? []) {
      const { [name]: _dropped, ...rest } = valid as Record<string, unknown>;
      yield [`${name} missing`, rest];
    }
    for (const [name, raw] of Object.entries(schema.properties ?? {})) {
      const property = this.resolve(raw);
      const set = (value: unknown): [string, unknown] => [name, { ...(valid as object), [name]: value }];
      const label = (what: string, value: unknown): [string, unknown] => [`${name} ${what}`, set(value)[1]];
      if (!property.nullable) yield label('null', null);
      yield label('of the wrong type', property.type === 'string' ? 12345 : 'not-a-number');
      if (property.maxLength !== undefined) yield label('too long', 'a'.repeat(property.maxLength + 1));
      if (property.minLength !== undefined && property.minLength > 0) yield label('too short', '');
      if (property.maximum !== undefined) yield label('above maximum', property.maximum + 1);
      if (property.minimum !== undefined) yield label('below minimum', property.minimum - 1);
      if (property.type === 'integer') yield label('a fraction', (property.minimum ?? 1) + 0.5);
      if (property.enum) yield label('outside the enum', 'not-in-the-list');
      if (property.pattern) yield label('breaking the pattern', 'A B\u0000');
      if (property.format === 'date-time') yield label('a date without a time', '2099-01-01');
      if (property.maxItems !== undefined)
        yield label(
          'with too many items',
          Array.from({ length: property.maxItems + 1 }, () => this.sample(property.items ?? {}, 'full')),
        );
      if (property.minItems) yield label('empty', []);
      if (property.type === 'array' && property.items) yield label('with a null item', [null]);
    }
  }
}
