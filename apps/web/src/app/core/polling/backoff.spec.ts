import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const noJitter = () => 0.5;

  it('waits the normal interval when nothing failed', () => {
    expect(backoffDelay(0, 30_000, 300_000, 0.2, noJitter)).toBe(30_000);
  });

  it('doubles the wait with each consecutive failure', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 5_000, 300_000, 0.2, noJitter))).toEqual([
      5_000, 10_000, 20_000, 40_000,
    ]);
  });

  it('never waits longer than the ceiling', () => {
    expect(backoffDelay(20, 30_000, 300_000, 0, noJitter)).toBe(300_000);
  });

  it('spreads retries by at most the jitter fraction', () => {
    expect(backoffDelay(1, 10_000, 300_000, 0.2, () => 0)).toBe(8_000);
    expect(backoffDelay(1, 10_000, 300_000, 0.2, () => 1)).toBe(12_000);
  });
});
