import { BuildCost } from './build-cost.js';

describe('BuildCost', () => {
  const after = (durations: number[]): BuildCost => {
    const cost = new BuildCost();
    for (const ms of durations) cost.record(ms);
    return cost;
  };

  it('spaces rebuilds by 20× their cost, never closer than 200 ms', () => {
    expect(new BuildCost().spacingMs).toBe(200);
    expect(after([7]).spacingMs).toBe(200);
    expect(after([50]).spacingMs).toBe(1_000);
  });

  it('does not hold the page back for 20× a slow build (measured: 7 ms typical, one in ten over 25 ms, 108 ms once)', () => {
    const cost = after([8, 8, 45, 8, 8, 8, 108, 8, 62]);
    // The last build alone would space the next one 1,240 ms; after the 108 ms one, 2,160 ms.
    expect(cost.expectedMs).toBe(8);
    expect(cost.spacingMs).toBe(200);
  });

  it('follows a lasting change within five builds, so the share of a core stays near 5 %', () => {
    const cost = after(Array<number>(20).fill(8));
    for (let index = 0; index < 4; index += 1) cost.record(100);
    expect(cost.spacingMs).toBe(200);
    cost.record(100);
    expect(cost.expectedMs).toBe(100);
    expect(cost.spacingMs).toBe(2_000);
  });

  it('expects the next build to take about what the last ones took (the wait for a due check uses it)', () => {
    expect(new BuildCost().expectedMs).toBe(0);
    expect(after([10, 30, 20]).expectedMs).toBe(20);
    expect(after([10, 20]).expectedMs).toBe(15);
  });
});
