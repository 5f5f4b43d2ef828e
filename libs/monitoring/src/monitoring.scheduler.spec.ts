import { restoreOutlasts } from './monitoring.scheduler.js';

describe('how long boot waits for the restore before it serves status (restoreOutlasts)', () => {
  it('waits while the pace of the services done says the rest finishes within the wait', () => {
    expect(restoreOutlasts(100, 50, 200, 16, 1000)).toBe(false); // 400 ms in all
    expect(restoreOutlasts(100, 5, 200, 16, 1000)).toBe(true); // 4 s in all
  });

  it('before the first service is done, counts the rounds still ahead', () => {
    // 10,000 services 16 at a time: 625 rounds, each at least as long as the first has taken so far
    expect(restoreOutlasts(25, 0, 10_000, 16, 1000)).toBe(true);
    // a small catalog, one round: waits for it
    expect(restoreOutlasts(300, 0, 10, 16, 1000)).toBe(false);
    expect(restoreOutlasts(300, 0, 40, 16, 1000)).toBe(false); // 3 rounds × 300 ms
    expect(restoreOutlasts(300, 0, 80, 16, 1000)).toBe(true); // 5 rounds × 300 ms
  });
});
