import 'reflect-metadata';
import { formatFieldError } from '@app/common';
import { REDACTED } from '@app/contracts';
import { TargetPolicy } from '../probe/target-policy.js';
import { restoreSecrets } from './catalog.service.js';
import { definitionInput, toDefinition, type MonitoredService } from './service-definition.js';
import { parseServiceDefinition, parseServicesFile } from './validation.js';

const strict = new TargetPolicy('');
const hash = 'c'.repeat(64);

function accepted(definition: Record<string, unknown>, policy = strict): MonitoredService {
  const result = parseServiceDefinition(definition, policy, 'api');
  if (result.value === null) throw new Error(result.errors.map(formatFieldError).join('; '));
  return result.value;
}
const errors = (definition: Record<string, unknown>, policy = strict) =>
  parseServiceDefinition(definition, policy, 'api').errors.map(formatFieldError);

const secretHttp = {
  id: 'shop',
  name: 'Shop',
  url: 'https://shop.example.com/health',
  method: 'POST',
  body: '{"probe":true}',
  headers: [
    { name: 'X-Api-Key', value: 'k3y-s3cret', secret: true },
    { name: 'X-Tenant', value: 'acme' },
  ],
  auth: { type: 'basic', username: 'monitor', password: 'pa55' },
  followRedirects: false,
  insecureTls: true,
  assertions: {
    contains: ['UP'],
    matches: ['"uptime":\\d+'],
    json: [{ path: '$.db.ok', operator: '==', value: true }],
    headers: [{ name: 'content-type', operator: 'contains', value: 'json' }],
  },
  certExpiryWarningDays: 21,
};

describe('check kinds: one schema, normalised per kind', () => {
  it('normalises an HTTP check with every option, and reads its stored input back as the same service', () => {
    const service = accepted(secretHttp);
    expect(service.check).toMatchObject({
      kind: 'http',
      method: 'POST',
      body: '{"probe":true}',
      followRedirects: false,
      insecureTls: true,
      certExpiryWarningDays: 21,
      auth: { type: 'basic', username: 'monitor', password: 'pa55' },
    });
    expect(accepted(definitionInput(service) as unknown as Record<string, unknown>)).toEqual(service);
  });

  it('redacts secret header values, the password and the token in what the API and the audit log show', () => {
    const shown = JSON.stringify(toDefinition(accepted(secretHttp)));
    expect(shown).not.toContain('k3y-s3cret');
    expect(shown).not.toContain('pa55');
    expect(toDefinition(accepted(secretHttp))).toMatchObject({
      headers: [
        { name: 'X-Api-Key', value: REDACTED, secret: true },
        { name: 'X-Tenant', value: 'acme' },
      ],
      auth: { type: 'basic', username: 'monitor', password: REDACTED },
    });
    const bearer = accepted({ ...secretHttp, auth: { type: 'bearer', token: 'tok-123' } });
    expect(JSON.stringify(toDefinition(bearer))).not.toContain('tok-123');
  });

  it('never echoes a secret in a validation error either', () => {
    const refused = errors({
      ...secretHttp,
      headers: [{ name: 'X-Api-Key', value: 'k3y\r\nX-Evil: 1', secret: true }],
      auth: { type: 'bearer', token: 'tok en\r\n' },
    });
    expect(refused.join('\n')).not.toMatch(/k3y|tok en/);
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^headers\[0\]\.value: "\(redacted\)" must be printable ASCII/),
        expect.stringMatching(/^auth\.token: "\(redacted\)" must be printable ASCII/),
      ]),
    );
  });

  it('keeps stored secrets when a PUT or PATCH sends the placeholder back, and only then', () => {
    const before = accepted(secretHttp);
    // What GET showed (nulls left out, as a client sends it back).
    const { group: _group, latencyThresholdMs: _latency, ...shown } = toDefinition(before);
    const restored = accepted(restoreSecrets({ ...shown, name: 'Shop 2' }, before) as Record<string, unknown>);
    expect(restored.check).toEqual(before.check);
    // Another header name, or another auth type, has no stored secret to keep: the placeholder is refused.
    const renamed = restoreSecrets(
      {
        ...shown,
        headers: [{ name: 'X-Other', value: REDACTED, secret: true }],
        auth: { type: 'bearer', token: REDACTED },
      },
      before,
    ) as Record<string, unknown>;
    expect(errors(renamed)).toEqual([
      'headers[0].value: "(redacted)" is the redaction placeholder "(redacted)" but there is no stored secret to keep; send the real value',
      'auth.token: "(redacted)" is the redaction placeholder "(redacted)" but there is no stored secret to keep; send the real value',
    ]);
  });

  it('normalises a TCP check and reads the host as the connect will (tcp: is not WHATWG-normalised)', () => {
    const service = accepted({
      id: 'db',
      name: 'DB',
      kind: 'tcp',
      url: 'tcp://db.example.com:5432',
      tcp: { tls: true, send: 'PING\r\n', expect: '+PONG' },
    });
    expect(service.check).toEqual({
      kind: 'tcp',
      host: 'db.example.com',
      port: 5432,
      tls: true,
      send: 'PING\r\n',
      expect: '+PONG',
      insecureTls: false,
      certExpiryWarningDays: 14,
    });
    expect(errors({ id: 'db', name: 'DB', kind: 'tcp', url: 'tcp://0x7f000001:22' })).toEqual([
      'url: "tcp://0x7f000001:22" points at a blocked address 127.0.0.1 (loopback); allow it with TARGET_ALLOW_CIDRS',
    ]);
    expect(
      accepted({ id: 'db', name: 'DB', kind: 'tcp', url: 'tcp://127.0.0.1:22' }, new TargetPolicy('127.0.0.0/8')).url,
    ).toBe('tcp://127.0.0.1:22');
  });

  it('normalises a DNS check and refuses a named server the SSRF policy blocks', () => {
    const service = accepted({
      id: 'www',
      name: 'WWW',
      kind: 'dns',
      dns: { name: 'www.example.com', type: 'MX', server: '[2620:fe::fe]:53', expect: ['10 mx.example.com'] },
    });
    expect(service).toMatchObject({ url: '', check: { kind: 'dns', type: 'MX', server: '[2620:fe::fe]:53' } });
    expect(
      errors({
        id: 'www',
        name: 'WWW',
        kind: 'dns',
        dns: { name: 'www.example.com', type: 'A', server: '169.254.169.253:53' },
      }),
    ).toEqual([
      'dns.server: "169.254.169.253:53" points at a blocked address 169.254.169.253 (link-local); allow it with TARGET_ALLOW_CIDRS',
    ]);
  });

  it('gives heartbeat services one-ping thresholds and requires a token hash in the services file', () => {
    expect(
      accepted({
        id: 'backup',
        name: 'Backup',
        kind: 'heartbeat',
        interval: '24h',
        heartbeat: { grace: '1h', tokenHash: hash },
      }),
    ).toMatchObject({
      failureThreshold: 1,
      recoveryThreshold: 1,
      check: { kind: 'heartbeat', graceMs: 3_600_000, tokenHash: hash },
    });
    const file = parseServicesFile({ services: [{ id: 'backup', name: 'Backup', kind: 'heartbeat' }] }, strict);
    expect(file.errors.map(formatFieldError)).toEqual([
      'services[0].heartbeat.tokenHash: is required in the services file: `npm run heartbeat-token -- <service id>` makes a token and its hash',
    ]);
  });

  it('never shows a heartbeat token hash, but keeps it in the stored input', () => {
    const service = accepted({ id: 'backup', name: 'Backup', kind: 'heartbeat', heartbeat: { tokenHash: hash } });
    expect(toDefinition(service)).toMatchObject({ kind: 'heartbeat', heartbeat: { grace: '1m' } });
    expect(JSON.stringify(toDefinition(service))).not.toContain(hash);
    // Stored as written: the grace nobody set keeps following the default.
    expect(definitionInput(service).heartbeat).toEqual({ tokenHash: hash });
    expect(
      restoreSecrets({ id: 'backup', name: 'Backup', kind: 'heartbeat', heartbeat: { grace: '5m' } }, service),
    ).toMatchObject({
      heartbeat: { grace: '5m', tokenHash: hash },
    });
  });

  it('names every option another kind uses', () => {
    expect(
      errors({
        id: 'x',
        name: 'X',
        kind: 'dns',
        url: 'https://x.example.com/',
        dns: { name: 'x.example.com', type: 'A' },
        headers: [{ name: 'A', value: 'b', secret: true }],
      }),
    ).toEqual([
      'url: "https://x.example.com/" is not used by kind dns (only by http, tcp)',
      'headers: "(redacted)" is not used by kind dns (only by http)',
    ]);
  });
});
