import { clearSecrets, formatFieldError, redactSecrets } from '@app/common';
import { generatedReplicaId } from './configuration.js';
import { validateEnvironment } from './environment.js';

describe('environment validation', () => {
  it('reads every declared variable, optional ones included, numbers as numbers', () => {
    const optional = {
      STORAGE: 'aws',
      SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      SUBSCRIBERS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:subscribers',
      SLACK_WEBHOOK_URL: 'https://hooks.example.com/x',
      ALERT_REMINDER_EVERY: '1h',
      PUBLIC_BASE_URL: 'https://status.example.com',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      REPLICA_ID: 'i-0123456789abcdef0',
    };
    const { value, errors } = validateEnvironment({
      PORT: '8080',
      SUBSCRIBE_PER_IP_PER_HOUR: '3',
      SUBSCRIBE_GLOBAL_PER_HOUR: '50',
      ...optional,
    });
    expect(errors).toEqual([]);
    expect(value).toMatchObject({
      PORT: 8080,
      SUBSCRIBE_PER_IP_PER_HOUR: 3,
      SUBSCRIBE_GLOBAL_PER_HOUR: 50,
      ...optional,
    });
  });

  it('keeps the defaults for unset and empty variables', () => {
    const { value, errors } = validateEnvironment({ PORT: '', SNS_TOPIC_ARN: '' });
    expect(errors).toEqual([]);
    expect(value.PORT).toBe(3000);
    expect(value.SNS_TOPIC_ARN).toBeUndefined();
    expect(value.ROLLUP_RETENTION_DAYS).toBe(100);
  });

  it('names the variable, the value and the rule for every problem', () => {
    const { errors } = validateEnvironment({
      PORT: '70000',
      TARGET_ALLOW_CIDRS: '10.0.0.0/',
      TRUSTED_PROXY_CIDRS: 'x',
      ALERT_RETRY_MIN: '0s',
      SUBSCRIBERS_TOPIC_ARN: 'subscribers',
      SUBSCRIBE_PER_IP_PER_HOUR: '0',
      HTTP_HEADERS_TIMEOUT: '0s',
      HTTP_KEEP_ALIVE_TIMEOUT: '1500ms',
      MAX_CONNECTIONS_PER_IP: '0',
      ROLLUP_RETENTION_DAYS: '30',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'PORT', value: 70000, rule: 'must be an integer between 1 and 65535' },
        expect.objectContaining({ path: 'TARGET_ALLOW_CIDRS', value: '10.0.0.0/' }),
        expect.objectContaining({ path: 'TRUSTED_PROXY_CIDRS', value: 'x' }),
        expect.objectContaining({ path: 'ALERT_RETRY_MIN', value: '0s' }),
        {
          path: 'SUBSCRIBERS_TOPIC_ARN',
          value: 'subscribers',
          rule: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
        },
        expect.objectContaining({ path: 'SUBSCRIBE_PER_IP_PER_HOUR', value: 0 }),
        expect.objectContaining({ path: 'HTTP_HEADERS_TIMEOUT', value: '0s' }),
        expect.objectContaining({ path: 'HTTP_KEEP_ALIVE_TIMEOUT', value: '1500ms' }),
        { path: 'MAX_CONNECTIONS_PER_IP', value: 0, rule: 'must be an integer between 1 and 100000' },
        // Fewer days than the page shows would empty its oldest bars.
        { path: 'ROLLUP_RETENTION_DAYS', value: 30, rule: 'must be an integer between 90 and 3650' },
      ]),
    );
    expect(errors).toHaveLength(10);
  });

  it('takes HEAP_COMPACT_EVERY as off ("0s") or a period of at least 10s in whole seconds', () => {
    expect(validateEnvironment({}).value.HEAP_COMPACT_EVERY).toBe('1m');
    for (const ok of ['0s', '10s', '5m', '1h'])
      expect(validateEnvironment({ HEAP_COMPACT_EVERY: ok }).errors).toEqual([]);
    expect(validateEnvironment({ HEAP_COMPACT_EVERY: '5s' }).errors).toEqual([
      { path: 'HEAP_COMPACT_EVERY', value: '5s', rule: 'must be "0s" (off) or at least 10s' },
    ]);
    for (const bad of ['2h', '1500ms', '0', 'often']) {
      const { errors } = validateEnvironment({ HEAP_COMPACT_EVERY: bad });
      expect(errors.map(({ path, value }) => [path, value])).toEqual([['HEAP_COMPACT_EVERY', bad]]);
      expect(errors[0]?.rule).toMatch(/^must be a duration in whole seconds between 0ms and 1h/);
    }
  });

  it('takes STORED_PAGE_EVERY as off ("0s") or a period of at least 1m, up to a day', () => {
    expect(validateEnvironment({}).value.STORED_PAGE_EVERY).toBe('5m');
    for (const ok of ['0s', '1m', '90s', '24h'])
      expect(validateEnvironment({ STORED_PAGE_EVERY: ok }).errors).toEqual([]);
    expect(validateEnvironment({ STORED_PAGE_EVERY: '30s' }).errors).toEqual([
      { path: 'STORED_PAGE_EVERY', value: '30s', rule: 'must be "0s" (off) or at least 1m' },
    ]);
    for (const bad of ['25h', '0', 'hourly']) {
      const { errors } = validateEnvironment({ STORED_PAGE_EVERY: bad });
      expect(errors.map(({ path, value }) => [path, value])).toEqual([['STORED_PAGE_EVERY', bad]]);
    }
  });

  it('keeps the metrics listener off the public port', () => {
    expect(validateEnvironment({}).value).toMatchObject({ METRICS_PORT: 0, METRICS_HOST: '127.0.0.1' });
    expect(validateEnvironment({ PORT: '3000', METRICS_PORT: '3000' }).errors).toEqual([
      { path: 'METRICS_PORT', value: 3000, rule: 'must differ from PORT (or be 0 for off)' },
    ]);
    expect(validateEnvironment({ PORT: '3000', METRICS_PORT: '9464' }).errors).toEqual([]);
  });

  it('refuses a headers timeout longer than the request timeout (Node would throw at listen)', () => {
    const { errors } = validateEnvironment({ HTTP_HEADERS_TIMEOUT: '1m', HTTP_REQUEST_TIMEOUT: '30s' });
    expect(errors).toEqual([
      { path: 'HTTP_HEADERS_TIMEOUT', value: '1m', rule: 'must not be longer than HTTP_REQUEST_TIMEOUT (30s)' },
    ]);
  });

  it('accepts no REPLICA_ID (one is generated at boot) and checks a given one and the lease', () => {
    expect(validateEnvironment({}).value).toMatchObject({ REPLICA_LEASE: '15s' });
    expect(validateEnvironment({}).value.REPLICA_ID).toBeUndefined();
    const { errors } = validateEnvironment({ REPLICA_ID: 'web#1', REPLICA_LEASE: '1s' });
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'REPLICA_ID',
        value: 'web#1',
        rule: expect.stringContaining('1-63 characters') as unknown,
      }),
      expect.objectContaining({ path: 'REPLICA_LEASE', value: '1s' }),
    ]);
    // a generated name obeys the same rule, and differs per boot
    const generated = generatedReplicaId();
    expect(validateEnvironment({ REPLICA_ID: generated }).errors).toEqual([]);
    expect(generatedReplicaId()).not.toBe(generated);
  });
});

describe('secrets in the environment', () => {
  afterEach(() => clearSecrets());

  it('never echoes a malformed SLACK_WEBHOOK_URL or a token pasted into ADMIN_TOKEN_HASHES', () => {
    const webhook = 'hxxps://hooks.slack.com/services/T0AAAA/B0BBBB/SECRETSECRETSECRET';
    const token = 'sp_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
    const { errors } = validateEnvironment({ SLACK_WEBHOOK_URL: webhook, ADMIN_TOKEN_HASHES: token, PORT: 'abc' });
    const lines = errors.map(formatFieldError);
    expect(lines).toEqual([
      'PORT: "abc" must be an integer between 1 and 65535',
      `SLACK_WEBHOOK_URL: (hidden, ${webhook.length} characters) must be an http(s) URL (a Slack incoming webhook)`,
      `ADMIN_TOKEN_HASHES: (hidden, ${token.length} characters) is an admin token, not its hash: put the ADMIN_TOKEN_HASHES=<hash> line npm run admin-token printed here, and keep the token itself secret`,
    ]);
    const text = lines.join('\n');
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain(token);
    // Registered: any later log line that carries them is masked too.
    expect(redactSecrets(`request to ${webhook} failed; token ${token}`)).not.toMatch(/SECRET|Zm9vYmFy/);
  });

  it('names the bad entry of a hash list without showing it', () => {
    const good = 'a'.repeat(64);
    const { errors } = validateEnvironment({ ADMIN_TOKEN_HASHES: `${good}, not-a-hash-value` });
    expect(errors.map(formatFieldError)).toEqual([
      'ADMIN_TOKEN_HASHES[1]: (hidden, 16 characters) must be a SHA-256 hex digest (64 characters of 0-9, a-f); generate one with npm run admin-token',
    ]);
    expect(validateEnvironment({ ADMIN_TOKEN_HASHES: `${good},${'B'.repeat(64)}` }).errors).toEqual([]);
  });

  it.each(['STATUS_CONFIG_WATCH', 'PROBE_THREAD', 'EMBEDDED_DYNAMO_THREAD'] as const)(
    'reads %s as a boolean, true by default',
    (name) => {
      expect(validateEnvironment({}).value[name]).toBe(true);
      expect(validateEnvironment({ [name]: 'FALSE' }).value[name]).toBe(false);
      expect(validateEnvironment({ [name]: 'maybe' }).errors.map(formatFieldError)).toEqual([
        `${name}: "maybe" must be "true" or "false"`,
      ]);
    },
  );
});
