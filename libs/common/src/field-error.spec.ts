import { IntInRange, StringLength } from './decorators.js';
import { formatFieldError, joinPath, renderValue } from './field-error.js';
import { clearSecrets, redactedValue, redactSecrets, registerSecret } from './secrets.js';
import { validateDto } from './validation.js';

describe('formatFieldError', () => {
  it('writes path, JSON value and rule on one line', () => {
    expect(formatFieldError({ path: 'services[0].interval', value: '0s', rule: 'must be positive' })).toBe(
      'services[0].interval: "0s" must be positive',
    );
  });

  it('shows a missing value as (missing) and cuts long values at 80 characters', () => {
    expect(renderValue(undefined)).toBe('(missing)');
    const long = renderValue('x'.repeat(200));
    expect(long).toHaveLength(80);
    expect(long.endsWith('...')).toBe(true);
  });
});

describe('joinPath', () => {
  it('joins properties with dots and array indexes with brackets', () => {
    expect(joinPath('', 'services')).toBe('services');
    expect(joinPath('services', '2')).toBe('services[2]');
    expect(joinPath('services[2]', 'slo')).toBe('services[2].slo');
  });
});

describe('validation messages', () => {
  class Sample {
    @IntInRange(1, 65535)
    port!: number;

    @StringLength(1, 100)
    name!: string;
  }

  it('says a missing required field is required, once, without "(missing) must be at most …"', () => {
    const { errors } = validateDto(Sample, { port: 80 });
    expect(errors).toEqual([{ path: 'name', value: undefined, rule: 'is required' }]);
    expect(errors.map(formatFieldError)).toEqual(['name: is required']);
  });

  it('states a rule once when several decorators share its message', () => {
    const { errors } = validateDto(Sample, { port: 'abc', name: 'x' });
    expect(errors.map(formatFieldError)).toEqual(['port: "abc" must be an integer between 1 and 65535']);
  });
});

describe('secrets in error lines', () => {
  afterEach(() => clearSecrets());

  it('shows a redacted value as its length only', () => {
    expect(
      formatFieldError({
        path: 'SLACK_WEBHOOK_URL',
        value: redactedValue('hxxps://hooks/T0/B0/abc'),
        rule: 'must be a URL',
      }),
    ).toBe('SLACK_WEBHOOK_URL: (hidden, 23 characters) must be a URL');
  });

  it('masks registered secrets and secret-shaped text wherever they appear', () => {
    registerSecret('s3cr3t-webhook-value');
    expect(redactSecrets('posting to s3cr3t-webhook-value failed')).toBe('posting to [redacted] failed');
    expect(redactSecrets('GET https://ops:hunter2@example.com/x')).toBe('GET https://ops:[redacted]@example.com/x');
    expect(redactSecrets('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('https://hooks.slack.com/[redacted]');
    expect(redactSecrets('token sp_AbCdEfGhIjKlMnOpQrStUvWx0123 leaked')).toBe('token sp_[redacted] leaked');
    expect(redactSecrets('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [redacted]');
    // Ports and plain URLs are not secrets.
    expect(redactSecrets('http://127.0.0.1:8080/health')).toBe('http://127.0.0.1:8080/health');
  });
});
