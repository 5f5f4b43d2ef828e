import {
  failureText,
  formatAgo,
  formatDay,
  formatDuration,
  formatLatency,
  formatPercent,
  formatTime,
  formatUtc,
  stateLabel,
} from './format';

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

describe('times and durations', () => {
  it('gives UTC for hover titles and a local time with the zone named, seconds when asked', () => {
    expect(formatUtc('2026-11-27T09:41:07.123Z')).toBe('2026-11-27 09:41:07 UTC');
    const withSeconds = formatTime('2026-11-27T09:41:07Z', true);
    expect(withSeconds).toMatch(/:07\b/);
    expect(formatTime('2026-11-27T09:41:07Z')).not.toMatch(/:07\b/);
    expect(withSeconds).toMatch(/UTC|GMT|[A-Z]{2,5}/);
  });

  it('words durations with two units at most', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000 + 9_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(-5)).toBe('0 s');
  });

  it('describes a failed check in words with its code, once', () => {
    expect(failureText({ error: 'ECONNREFUSED', reason: 'connection refused' })).toBe(
      'Connection refused (ECONNREFUSED)',
    );
    expect(failureText({ error: 'HTTP 503', reason: 'service unavailable (HTTP 503)' })).toBe(
      'Service unavailable (HTTP 503)',
    );
    expect(failureText({ error: 'timeout after 800ms', reason: 'no answer within 800 ms' })).toBe(
      'No answer within 800 ms',
    );
    // An older API without `reason`: the code alone.
    expect(failureText({ error: 'ENOTFOUND' })).toBe('ENOTFOUND');
    expect(failureText(null)).toBe('Failed');
  });
});
