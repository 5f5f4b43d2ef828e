import { formatAgo, formatDay, formatLatency, formatPercent, stateLabel } from './format';

describe('format', () => {
  it('never rounds a percentage up to a perfect score', () => {
    expect(formatPercent(99.999)).toBe('99.99%');
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
  });

  it('formats latency, ages and UTC days', () => {
    expect(formatLatency(41.6)).toBe('42 ms');
    expect(formatLatency(12_345)).toBe('12.3 s');
    expect(formatAgo(7)).toBe('7 s ago');
    expect(formatAgo(125)).toBe('2 min ago');
    expect(formatDay('2026-11-27')).toBe('Nov 27, 2026');
  });

  it('names every service state in words', () => {
    expect(stateLabel('down')).toBe('Down');
    expect(stateLabel('unknown')).toBe('No data');
  });
});
