import { certificateWarning, crossedThreshold, describeExpiry, notAfterOf } from './certificate.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('certificate expiry', () => {
  it('warns below the configured number of days, not at or above it', () => {
    expect(certificateWarning(NOW + 14 * DAY, NOW, 14)).toBeNull();
    expect(certificateWarning(NOW + 14 * DAY - 1, NOW, 14)).toBe('certificate expires in 13 days');
    expect(certificateWarning(NOW + 3 * DAY + 3_600_000, NOW, 14)).toBe('certificate expires in 3 days');
    expect(certificateWarning(NOW + 30 * DAY, NOW, 60)).toBe('certificate expires in 30 days');
  });

  it('words the last day in hours and an expired certificate in days ago', () => {
    expect(describeExpiry(NOW + 5 * 3_600_000, NOW)).toBe('certificate expires in 5 hours');
    expect(describeExpiry(NOW + DAY + 1, NOW)).toBe('certificate expires in 1 day');
    expect(describeExpiry(NOW - 2 * DAY - 1, NOW)).toBe('certificate expired 2 days ago');
    expect(describeExpiry(NOW - 1000, NOW)).toBe('certificate expired today');
  });

  it.each([
    [30 * DAY, null],
    [14 * DAY, null],
    [14 * DAY - 1, 14],
    [8 * DAY, 14],
    [6 * DAY, 7],
    [23 * 3_600_000, 1],
    [0, 0],
    [-DAY, 0],
  ])('with %i ms left the lowest threshold crossed is %s', (left, threshold) => {
    expect(crossedThreshold(NOW + left, NOW)).toBe(threshold);
  });

  it("reads notAfter from Node's peer certificate", () => {
    expect(notAfterOf({ valid_to: 'Dec  4 12:00:00 2026 GMT' })).toBe(Date.parse('2026-12-04T12:00:00Z'));
    expect(notAfterOf({})).toBeNull();
    expect(notAfterOf(null)).toBeNull();
  });
});
