import { generatedReplicaId } from './configuration.js';
import { validateEnvironment } from './environment.js';

describe('environment validation', () => {
  it('reads every declared variable, optional ones included, numbers as numbers', () => {
    const optional = {
      STORAGE: 'aws',
      SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
      SLACK_WEBHOOK_URL: 'https://hooks.example.com/x',
      ALERT_REMINDER_EVERY: '1h',
      PUBLIC_BASE_URL: 'https://status.example.com',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      REPLICA_ID: 'i-0123456789abcdef0',
    };
    const { value, errors } = validateEnvironment({ PORT: '8080', ...optional });
    expect(errors).toEqual([]);
    expect(value).toMatchObject({ PORT: 8080, ...optional });
  });

  it('keeps the defaults for unset and empty variables', () => {
    const { value, errors } = validateEnvironment({ PORT: '', SNS_TOPIC_ARN: '' });
    expect(errors).toEqual([]);
    expect(value.PORT).toBe(3000);
    expect(value.SNS_TOPIC_ARN).toBeUndefined();
  });

  it('names the variable, the value and the rule for every problem', () => {
    const { errors } = validateEnvironment({
      PORT: '70000',
      TARGET_ALLOW_CIDRS: '10.0.0.0/',
      TRUSTED_PROXY_CIDRS: 'x',
      ALERT_RETRY_MIN: '0s',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'PORT', value: 70000, rule: 'must be an integer between 1 and 65535' },
        expect.objectContaining({ path: 'TARGET_ALLOW_CIDRS', value: '10.0.0.0/' }),
        expect.objectContaining({ path: 'TRUSTED_PROXY_CIDRS', value: 'x' }),
        expect.objectContaining({ path: 'ALERT_RETRY_MIN', value: '0s' }),
      ]),
    );
    expect(errors).toHaveLength(4);
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
