import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['800ms', 800],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['0s', 0],
    [' 5s ', 5000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '   ', '5', 's', '5x', '-1s', '5 s', '1h 30m', 's5', '5s!', '1.s', '.5s', '5S'])(
    'refuses %j (returns null)',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  it('gives the same answer however often it is called (the shared sticky regex is reset)', () => {
    expect(parseDuration('5x')).toBeNull();
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('2m')).toBe(120_000);
  });
});

describe('formatDuration', () => {
  it.each([
    [1000, '1s'],
    [1500, '1500ms'],
    [800, '800ms'],
    [90_000, '90s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [86_400_000, '24h'],
    [2 * 86_400_000, '2d'],
    [30 * 86_400_000, '30d'],
    [90 * 86_400_000, '90d'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([800, 1000, 1500, 30_000, 90_000, 300_000, 5_400_000, 86_400_000, 30 * 86_400_000])(
    'round trips %d ms through parseDuration',
    (ms) => {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    },
  );
});
