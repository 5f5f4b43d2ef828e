import { spawnSync } from 'node:child_process';
import { BOOT_HEAP_GROWING_PERCENT, BootHeap, configuredHeapGrowingPercent } from './boot-heap.js';

describe('configuredHeapGrowingPercent', () => {
  it('reads the flag from the command line or NODE_OPTIONS, the command line winning as in Node', () => {
    expect(configuredHeapGrowingPercent(['--max-semi-space-size=2', '--heap-growing-percent=25'], undefined)).toBe(25);
    expect(configuredHeapGrowingPercent([], '--max-semi-space-size=2 --heap-growing-percent=30')).toBe(30);
    expect(configuredHeapGrowingPercent(['--heap-growing-percent=25'], '--heap-growing-percent=40')).toBe(25);
    expect(configuredHeapGrowingPercent(['--max-semi-space-size=2'], '')).toBeNull();
    expect(configuredHeapGrowingPercent(['--heap-growing-percent'], undefined)).toBeNull();
  });
});

describe('BootHeap', () => {
  it('lifts the growth step while booting and puts the configured one back once', () => {
    const set: string[] = [];
    const heap = new BootHeap(25, (flags) => set.push(flags));
    heap.begin();
    expect(set).toEqual([`--heap-growing-percent=${BOOT_HEAP_GROWING_PERCENT}`]);
    heap.end();
    heap.end();
    expect(set).toEqual([`--heap-growing-percent=${BOOT_HEAP_GROWING_PERCENT}`, '--heap-growing-percent=25']);
  });

  it('changes nothing for a process started without the flag or with a larger step', () => {
    for (const configured of [null, 150]) {
      const set: string[] = [];
      const heap = new BootHeap(configured, (flags) => set.push(flags));
      heap.begin();
      heap.end();
      expect(set).toEqual([]);
    }
  });

  it('takes effect at run time in this Node: fewer full GCs while the heap climbs', () => {
    // The same allocation climb (a heap retained to ~150 MB), with and without the step lifted after start-up.
    const climb = (lift: boolean) => {
      const script = `
        ${lift ? `require('node:v8').setFlagsFromString('--heap-growing-percent=${BOOT_HEAP_GROWING_PERCENT}');` : ''}
        const keep = [];
        for (let i = 0; i < 1_000_000; i++) keep.push({ a: i, b: 'x' + i, c: [i, i + 1] });
      `;
      const run = spawnSync(
        process.execPath,
        ['--max-semi-space-size=2', '--heap-growing-percent=25', '--trace-gc', '-e', script],
        { encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      return run.stdout.split('\n').filter((line) => line.includes('Mark-Compact')).length;
    };
    const steady = climb(false);
    const lifted = climb(true);
    expect(steady).toBeGreaterThan(0);
    expect(lifted).toBeLessThan(steady);
  });
});
