import 'reflect-metadata';
import { TargetPolicy } from '../probe/target-policy.js';
import { definitionInput, httpCheck, upgradeStoredDefinition, type MonitoredService } from './service-definition.js';
import { formatFieldError } from '@app/common';
import { parseServiceDefinition, parseServicesFile } from './validation.js';

const strict = new TargetPolicy('');
const loopbackAllowed = new TargetPolicy('127.0.0.0/8');

const minimal = { id: 'api', name: 'Public API', url: 'https://api.example.com/health' };

/** Every error of a one-service file, formatted as users see them. */
function fileErrors(service: Record<string, unknown>, policy = strict): string[] {
  const result = parseServicesFile({ services: [service] }, policy);
  return result.errors.map(formatFieldError);
}

function accepted(service: Record<string, unknown>, policy = strict): MonitoredService {
  const result = parseServiceDefinition(service, policy, 'config');
  if (result.value === null) throw new Error(`unexpectedly refused: ${result.errors.map(formatFieldError).join('; ')}`);
  return result.value;
}

describe('parseServiceDefinition', () => {
  it('applies the defaults to a minimal definition', () => {
    expect(accepted(minimal)).toEqual({
      id: 'api',
      name: 'Public API',
      group: null,
      url: 'https://api.example.com/health',
      check: httpCheck(),
      intervalMs: 30_000,
      timeoutMs: 10_000,
      latencyThresholdMs: null,
      failureThreshold: 3,
      recoveryThreshold: 2,
      slo: { target: 99.9, windowDays: 30 },
      degradedOpensIncident: false,
      paused: false,
      source: 'config',
      // What was written, defaults not filled in: stored like this, defaults apply when it is read.
      definition: minimal,
    });
  });

  it('records where the definition came from', () => {
    const result = parseServiceDefinition(minimal, strict, 'api');
    expect(result.value?.source).toBe('api');
  });

  it('keeps every explicit setting', () => {
    expect(
      accepted({
        ...minimal,
        group: 'Core',
        method: 'HEAD',
        interval: '1m',
        timeout: '5s',
        latencyThresholdMs: 800,
        failureThreshold: 5,
        recoveryThreshold: 4,
        expectedStatus: [200, '301-302'],
        slo: { target: 99.5, window: '7d' },
        paused: true,
      }),
    ).toMatchObject({
      group: 'Core',
      check: {
        method: 'HEAD',
        expectedStatus: [
          [200, 200],
          [301, 302],
        ],
      },
      intervalMs: 60_000,
      timeoutMs: 5_000,
      latencyThresholdMs: 800,
      failureThreshold: 5,
      recoveryThreshold: 4,
      slo: { target: 99.5, windowDays: 7 },
      paused: true,
    });
  });

  it('defaults the timeout to one second below a short interval, never below 100 ms', () => {
    expect(accepted({ ...minimal, interval: '5s' }).timeoutMs).toBe(4_000);
    expect(accepted({ ...minimal, interval: '1s' }).timeoutMs).toBe(100);
  });

  it('names the body when the definition is not an object', () => {
    expect(parseServiceDefinition('nope', strict, 'api').errors).toEqual([
      { path: '(body)', value: 'nope', rule: 'must be an object' },
    ]);
  });
});

describe('parseServicesFile', () => {
  it('returns the normalised services of a valid file', () => {
    const result = parseServicesFile({ services: [minimal, { ...minimal, id: 'web', name: 'Web' }] }, strict);
    expect(result.errors).toEqual([]);
    expect(result.value?.map((service) => service.id)).toEqual(['api', 'web']);
  });

  it('accepts a file without services as an empty catalog', () => {
    expect(parseServicesFile({}, strict)).toEqual({ value: [], errors: [] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'an interval of 0s',
      { interval: '0s' },
      'services[0].interval: "0s" must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")',
    ],
    [
      'an interval in fractions of a second',
      { interval: '1500ms' },
      'services[0].interval: "1500ms" must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")',
    ],
    [
      'an interval above 24h',
      { interval: '2d' },
      'services[0].interval: "2d" must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")',
    ],
    [
      'an interval that is not a duration',
      { interval: 30 },
      'services[0].interval: 30 must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")',
    ],
    [
      'a timeout below 100 ms',
      { timeout: '50ms' },
      'services[0].timeout: "50ms" must be a duration between 100ms and 1m (e.g. "30s", "5m")',
    ],
    [
      'a timeout as long as the interval',
      { interval: '10s', timeout: '10s' },
      'services[0].timeout: "10s" must be shorter than the interval (10s)',
    ],
    [
      'a timeout longer than the default interval',
      { timeout: '45s' },
      'services[0].timeout: "45s" must be shorter than the interval (30s)',
    ],
    [
      'a latency threshold as long as the timeout',
      { timeout: '2s', latencyThresholdMs: 2000 },
      'services[0].latencyThresholdMs: 2000 must be below the timeout (2000ms)',
    ],
    [
      'a latency threshold above the default timeout',
      { latencyThresholdMs: 15_000 },
      'services[0].latencyThresholdMs: 15000 must be below the timeout (10000ms)',
    ],
    [
      'a latency threshold that is not an integer',
      { latencyThresholdMs: 1.5 },
      'services[0].latencyThresholdMs: 1.5 must be an integer between 1 and 60000',
    ],
    [
      'a failure threshold of 0',
      { failureThreshold: 0 },
      'services[0].failureThreshold: 0 must be an integer between 1 and 20',
    ],
    [
      'a recovery threshold of 21',
      { recoveryThreshold: 21 },
      'services[0].recoveryThreshold: 21 must be an integer between 1 and 20',
    ],
    ['an unknown method', { method: 'PUT' }, 'services[0].method: "PUT" must be GET, HEAD, POST'],
    ['an unknown field', { retries: 3 }, 'services[0].retries: 3 is not a known field'],
    [
      'an unknown field inside slo',
      { slo: { target: 99, budget: 1 } },
      'services[0].slo.budget: 1 is not a known field',
    ],
    [
      'an SLO target above 99.999',
      { slo: { target: 100 } },
      'services[0].slo.target: 100 must be between 50 and 99.999',
    ],
    [
      'an SLO window that is not whole days',
      { slo: { target: 99.9, window: '36h' } },
      'services[0].slo.window: "36h" must be a whole number of days, e.g. "30d"',
    ],
    [
      'an SLO window above 90 days',
      { slo: { target: 99.9, window: '91d' } },
      'services[0].slo.window: "91d" must be a duration between 24h and 90d (e.g. "30s", "5m")',
    ],
    [
      'an id with capitals and spaces',
      { id: 'Public API' },
      'services[0].id: "Public API" must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit',
    ],
    ['paused given as a string', { paused: 'yes' }, 'services[0].paused: "yes" must be true or false'],
  ])('refuses %s', (_case, override, message) => {
    expect(fileErrors({ ...minimal, ...override })).toContain(message);
  });

  describe('expectedStatus', () => {
    const rule = 'must be a list of 1-20 HTTP statuses (100-599) or ranges like "200-299"';

    it.each<[unknown]>([
      [[]],
      [['2xx']],
      [[99]],
      [[600]],
      [['299-200']],
      [[200.5]],
      ['200'],
      [new Array(21).fill(200)],
    ])('refuses %j', (expectedStatus) => {
      const errors = fileErrors({ ...minimal, expectedStatus });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^services\[0\]\.expectedStatus: /);
      expect(errors[0]?.endsWith(rule)).toBe(true);
    });

    it('accepts single statuses and inclusive ranges', () => {
      expect(accepted({ ...minimal, expectedStatus: [204, '300-399'] }).check).toHaveProperty('expectedStatus', [
        [204, 204],
        [300, 399],
      ]);
    });
  });

  it('refuses a duplicate id and names the first entry that used it', () => {
    expect(
      parseServicesFile({ services: [minimal, { ...minimal, name: 'Again' }] }, strict).errors.map(formatFieldError),
    ).toEqual(['services[1].id: "api" is already used by services[0]']);
  });

  it('refuses unknown top-level keys and a services value that is not a list', () => {
    expect(parseServicesFile({ services: { api: minimal }, version: 2 }, strict).errors.map(formatFieldError)).toEqual([
      'version: 2 is not a known field (allowed: services, page)',
      'services: {"api":{"id":"api","name":"Public API","url":"https://api.example.com/health"}} must be a list of services',
    ]);
  });

  it.each([null, [], 'services: []'])('refuses a file that is not a mapping (%j)', (file) => {
    expect(parseServicesFile(file, strict).errors.map(formatFieldError)).toEqual([
      `(file): ${JSON.stringify(file)} must be a mapping with a "services" list`,
    ]);
  });

  it('reports every problem of every entry at once', () => {
    const result = parseServicesFile(
      {
        services: [
          { ...minimal, interval: '0s', extra: true },
          { ...minimal, id: 'web', name: 'Web', url: 'http://169.254.169.254/latest/meta-data/' },
          { ...minimal, id: 'db', name: 'DB', timeout: '40s' },
          'not a service',
          { ...minimal, id: 'api', name: 'Duplicate' },
        ],
      },
      strict,
    );
    expect(result.value).toBeNull();
    expect(result.errors.map(formatFieldError)).toEqual([
      'services[0].extra: true is not a known field',
      'services[0].interval: "0s" must be a duration in whole seconds between 1s and 24h (e.g. "30s", "5m")',
      'services[1].url: "http://169.254.169.254/latest/meta-data/" points at a blocked address 169.254.169.254 (link-local); allow it with TARGET_ALLOW_CIDRS',
      'services[2].timeout: "40s" must be shorter than the interval (30s)',
      'services[3]: "not a service" must be an object',
    ]);
    // services[4] reuses "api", but services[0] (the first "api") was refused, so there is nothing to clash with.
  });

  it('reports the URL and the cross-field problems of one entry together', () => {
    expect(fileErrors({ ...minimal, url: 'http://10.0.0.1/', interval: '10s', timeout: '20s' })).toEqual([
      'services[0].url: "http://10.0.0.1/" points at a blocked address 10.0.0.1 (private); allow it with TARGET_ALLOW_CIDRS',
      'services[0].timeout: "20s" must be shorter than the interval (10s)',
    ]);
  });
});

describe('target URL checks (SSRF) at validation time', () => {
  it.each([
    ['http://169.254.169.254/', '169.254.169.254 (link-local)'],
    ['http://169.254.169.254./', '169.254.169.254 (link-local)'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (link-local)'],
    ['http://0xA9FEA9FE/', '169.254.169.254 (link-local)'],
    ['http://2852039166/', '169.254.169.254 (link-local)'],
    ['http://0251.0376.0251.0376/', '169.254.169.254 (link-local)'],
    ['http://127.0.0.1/', '127.0.0.1 (loopback)'],
    ['http://127.1:8080/', '127.0.0.1 (loopback)'],
    ['http://0/', '0.0.0.0 (unspecified)'],
    ['http://10.0.0.1/', '10.0.0.1 (private)'],
    ['https://192.168.0.10/admin', '192.168.0.10 (private)'],
    ['http://[::1]/', '::1 (loopback)'],
    ['http://[fd00::1]/', 'fd00::1 (unique-local)'],
    ['http://[fe80::1]/', 'fe80::1 (link-local)'],
  ])('refuses %s', (url, blocked) => {
    expect(fileErrors({ ...minimal, url })).toEqual([
      `services[0].url: ${JSON.stringify(url)} points at a blocked address ${blocked}; allow it with TARGET_ALLOW_CIDRS`,
    ]);
  });

  it('accepts a loopback target once 127.0.0.0/8 is allowed, and only that range', () => {
    expect(accepted({ ...minimal, url: 'http://127.0.0.1:8080/health' }, loopbackAllowed).url).toBe(
      'http://127.0.0.1:8080/health',
    );
    expect(accepted({ ...minimal, url: 'http://[::ffff:127.0.0.1]/' }, loopbackAllowed).url).toBe(
      'http://[::ffff:127.0.0.1]/',
    );
    expect(fileErrors({ ...minimal, url: 'http://169.254.169.254/' }, loopbackAllowed)).toHaveLength(1);
    expect(fileErrors({ ...minimal, url: 'http://[::1]/' }, loopbackAllowed)).toHaveLength(1);
  });

  it.each([
    'http://8.8.8.8/',
    'https://1.1.1.1/dns-query',
    'http://[2606:4700::1111]/',
    'https://example.com:8443/x?y=1',
  ])('accepts the public target %s', (url) => {
    expect(accepted({ ...minimal, url }).url).toBe(url);
  });

  it('leaves host names to the connect-time check (DNS is not resolved while validating)', () => {
    expect(accepted({ ...minimal, url: 'http://localhost:3000/' }).url).toBe('http://localhost:3000/');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'gopher://example.com:70/', 'javascript:alert(1)'])(
    'refuses the %s scheme',
    (url) => {
      expect(fileErrors({ ...minimal, url })).toEqual([
        `services[0].url: ${JSON.stringify(url)} must use http or https`,
      ]);
    },
  );

  it.each(['http://user:secret@example.com/', 'http://user@example.com/', 'https://:secret@example.com/'])(
    'refuses credentials in the URL (%s)',
    (url) => {
      expect(fileErrors({ ...minimal, url })).toEqual([
        // The URL is named, its password never is.
        `services[0].url: ${JSON.stringify(url.replace(/:secret@/, ':[redacted]@'))} must not embed credentials`,
      ]);
    },
  );

  it.each(['example.com/health', '/health', 'http://'])('refuses the relative or broken URL %j', (url) => {
    expect(fileErrors({ ...minimal, url })).toEqual([
      `services[0].url: ${JSON.stringify(url)} must be an absolute http:// or https:// URL`,
    ]);
  });
});

describe('stored definitions', () => {
  const full = {
    ...minimal,
    group: 'Core',
    method: 'HEAD',
    interval: '45s',
    timeout: '5s',
    latencyThresholdMs: 900,
    failureThreshold: 4,
    recoveryThreshold: 3,
    expectedStatus: ['200-299', 301],
    slo: { target: 99.5, window: '7d' },
    degradedOpensIncident: true,
    paused: true,
  };

  it.each([
    ['a minimal definition', minimal],
    ['a full definition', full],
  ])('read %s back as the same service', (_case, definition) => {
    const service = accepted(definition);
    expect(accepted(definitionInput(service) as unknown as Record<string, unknown>)).toEqual(service);
  });

  it('upgrade the normalised shape earlier versions stored, keeping every value', () => {
    // What the first versions stored: the normalised service of that time (method and status pairs at the top).
    const legacy = {
      id: full.id,
      name: full.name,
      group: 'Core',
      url: full.url,
      method: 'HEAD',
      intervalMs: 45_000,
      timeoutMs: 5_000,
      latencyThresholdMs: 900,
      failureThreshold: 4,
      recoveryThreshold: 3,
      expectedStatus: [
        [200, 299],
        [301, 301],
      ],
      slo: { target: 99.5, windowDays: 7 },
      degradedOpensIncident: true,
      paused: true,
      source: 'api',
    };
    // The written definitions differ in form (that is the point); everything the runner uses is the same.
    const { definition: _legacy, ...upgraded } = accepted(upgradeStoredDefinition(legacy) as Record<string, unknown>);
    const { definition: _full, ...expected } = accepted(full);
    expect(upgraded).toEqual(expected);
  });

  it('leave a definition in input form as it is', () => {
    expect(upgradeStoredDefinition(full)).toBe(full);
    expect(upgradeStoredDefinition('{"torn":')).toBe('{"torn":');
  });
});
