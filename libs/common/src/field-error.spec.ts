import { formatFieldError, joinPath, renderValue } from './field-error.js';

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
