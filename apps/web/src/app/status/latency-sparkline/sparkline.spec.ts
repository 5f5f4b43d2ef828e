import { sparkline } from './sparkline';

describe('sparkline', () => {
  it('scales latencies into the box from a zero baseline', () => {
    const line = sparkline([10, 20], 100, 22, 1);
    expect(line.path).toBe('M0 11L100 1');
    expect(line).toMatchObject({ min: 10, max: 20, last: 20, count: 2 });
  });

  it('breaks the line at failed checks and marks them', () => {
    const line = sparkline([10, null, 10], 100, 22, 1);
    expect(line.path).toBe('M0 1M100 1');
    expect(line.failures).toEqual([50]);
    expect(line.last).toBe(10);
  });

  it('draws nothing without data', () => {
    expect(sparkline([], 100, 20)).toMatchObject({ path: '', min: null, max: null, last: null, count: 0 });
  });
});
