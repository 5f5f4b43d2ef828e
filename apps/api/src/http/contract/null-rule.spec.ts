import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NULL_RULE, validateDto, type FieldError } from '@app/common';
import { CreateIncidentDto, EditIncidentDto, IncidentUpdateDto, MaintenanceDto } from '@app/incidents';
import {
  AssertionsDto,
  DnsDto,
  HeaderAssertionDto,
  HeartbeatDto,
  HttpAuthDto,
  HttpHeaderDto,
  JsonAssertionDto,
  parseServiceDefinition,
  ServiceDefinitionDto,
  SloDto,
  TargetPolicy,
  TcpDto,
} from '@app/monitoring';
import { ConfigurationError, loadServicesFile } from '../../config/configuration.js';

/** A valid body of each request DTO: one field at a time is set to null in it. */
const VALID: [new () => object, Record<string, unknown>][] = [
  [
    ServiceDefinitionDto,
    {
      id: 'shop',
      name: 'Shop',
      group: 'Core',
      url: 'https://shop.example.com/health',
      method: 'GET',
      interval: '30s',
      timeout: '5s',
      latencyThresholdMs: 800,
      failureThreshold: 3,
      recoveryThreshold: 2,
      expectedStatus: [200],
      slo: { target: 99.9, window: '30d' },
      degradedOpensIncident: false,
      paused: false,
      // Every kind's options at once: the DTO checks each field alone; which kind may use which is the
      // normalisation's rule, not the null rule's.
      kind: 'http',
      body: '{}',
      headers: [{ name: 'X-Key', value: 'k' }],
      auth: { type: 'bearer', token: 't' },
      followRedirects: true,
      insecureTls: false,
      assertions: { contains: ['UP'] },
      certExpiryWarningDays: 14,
      tcp: { tls: true },
      dns: { name: 'example.com', type: 'A' },
      heartbeat: { grace: '1m' },
    },
  ],
  [SloDto, { target: 99.9, window: '30d' }],
  [HttpHeaderDto, { name: 'X-Api-Key', value: 'abc', secret: true }],
  [HttpAuthDto, { type: 'basic', username: 'u', password: 'p', token: 't' }],
  [
    AssertionsDto,
    {
      contains: ['UP'],
      notContains: ['DOWN'],
      matches: ['^OK'],
      json: [{ path: '$.status', operator: '==', value: 'UP' }],
      headers: [{ name: 'content-type', operator: 'exists' }],
    },
  ],
  [JsonAssertionDto, { path: '$.a', operator: '>', value: 3 }],
  [HeaderAssertionDto, { name: 'etag', operator: '==', value: 'x' }],
  [TcpDto, { tls: true, send: 'PING', expect: 'PONG' }],
  [DnsDto, { name: 'example.com', type: 'MX', server: '9.9.9.9', expect: ['10 mx.example.com'] }],
  [HeartbeatDto, { grace: '5m', tokenHash: 'a'.repeat(64) }],
  [
    CreateIncidentDto,
    { title: 'Down', status: 'investigating', impact: 'major', serviceIds: [], message: 'Looking.', notify: false },
  ],
  [IncidentUpdateDto, { status: 'identified', message: 'Found it.', notify: false }],
  [EditIncidentDto, { title: 'Down', impact: 'minor', serviceIds: [] }],
  [
    MaintenanceDto,
    {
      title: 'Upgrade',
      serviceIds: ['shop'],
      startsAt: '2026-12-01T02:00:00Z',
      endsAt: '2026-12-01T03:00:00Z',
      message: '',
    },
  ],
];

/** Every property a DTO validates, from class-validator's own metadata (so a new field is covered too). */
const properties = (cls: new () => object) => [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  ),
];

describe('the null rule: null is never a value, required or optional, in any request DTO', () => {
  it('covers every field of every DTO in the table', () => {
    for (const [cls, body] of VALID) expect(Object.keys(body).sort()).toEqual(properties(cls).sort());
  });

  it('accepts each valid body as it is', () => {
    for (const [cls, body] of VALID)
      expect({ cls: cls.name, errors: validateDto(cls, body).errors }).toEqual({
        cls: cls.name,
        errors: [],
      });
  });

  const cases = VALID.flatMap(([cls, body]) => Object.keys(body).map((field) => [cls.name, field, cls, body] as const));
  it.each(cases)(
    '%s.%s: null is refused with one error naming the field, the value and the rule',
    (_n, field, cls, body) => {
      const { errors } = validateDto(cls, { ...body, [field]: null });
      expect(errors).toEqual([{ path: field, value: null, rule: NULL_RULE }]);
    },
  );

  it('refuses null inside a nested object (slo.window) and in lists', () => {
    const [, service] = VALID[0]!;
    const policy = new TargetPolicy('');
    const errors = (body: unknown): FieldError[] => parseServiceDefinition(body, policy, 'api').errors;
    expect(errors({ ...service, slo: { target: 99, window: null } })).toEqual([
      { path: 'slo.window', value: null, rule: NULL_RULE },
    ]);
    expect(errors({ ...service, expectedStatus: [null] }).map((e) => e.path)).toEqual(['expectedStatus']);
  });
});

describe('the null rule in the services file', () => {
  const load = (yaml: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'null-rule-'));
    writeFileSync(join(dir, 'services.yaml'), yaml);
    return () => loadServicesFile(join(dir, 'services.yaml'), new TargetPolicy(''));
  };

  it.each(['interval', 'timeout', 'group', 'expectedStatus', 'slo', 'paused', 'latencyThresholdMs'])(
    '"%s: ~" stops boot with the documented "Invalid configuration" line, not a stack trace',
    (field) => {
      const boot = load(`services:\n  - id: a\n    name: A\n    url: https://a.example.com/\n    ${field}: ~\n`);
      expect(boot).toThrow(ConfigurationError);
      expect(boot).toThrow(`services[0].${field}: null ${NULL_RULE}`);
    },
  );
});
