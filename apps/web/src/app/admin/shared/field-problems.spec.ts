import { describeProblem, mapProblems, renderValue } from './field-problems';

describe('mapProblems', () => {
  const fields = ['id', 'interval', 'expectedStatus', 'slo.target', 'slo.window'];

  it('puts each API problem next to the field that caused it, with the value and the rule', () => {
    const mapped = mapProblems(
      [
        { path: 'interval', value: '0s', rule: 'must be a duration in whole seconds between 1s and 24h' },
        { path: 'slo.window', value: '2w', rule: 'must be a whole number of days, e.g. "30d"' },
        { path: 'expectedStatus[1]', value: 'abc', rule: 'must be a status' },
      ],
      fields,
    );
    expect(mapped.byField).toEqual({
      interval: ['"0s" must be a duration in whole seconds between 1s and 24h'],
      'slo.window': ['"2w" must be a whole number of days, e.g. "30d"'],
      expectedStatus: ['"abc" must be a status'],
    });
    expect(mapped.other).toEqual([]);
  });

  it('gives a problem about a split object to its first input, and keeps unknown paths for the summary', () => {
    const mapped = mapProblems(
      [
        { path: 'slo', value: [], rule: 'must be an object' },
        { path: '(body)', value: null, rule: 'must be an object' },
        { path: 'color', value: 'red', rule: 'is not a known field' },
      ],
      fields,
    );
    expect(mapped.byField).toEqual({ 'slo.target': ['[] must be an object'] });
    expect(mapped.other.map((problem) => problem.path)).toEqual(['(body)', 'color']);
  });

  it('renders values the way the API does', () => {
    expect(renderValue(undefined)).toBe('(missing)');
    expect(renderValue('x'.repeat(100))).toHaveLength(80);
    expect(describeProblem({ path: 'failureThreshold', value: 0, rule: 'must be an integer between 1 and 20' })).toBe(
      '0 must be an integer between 1 and 20',
    );
  });
});
