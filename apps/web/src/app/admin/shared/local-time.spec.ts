import { formatUtc, isoToLocalInput, localInputToIso, nextFullHour, utcOffset } from './local-time';

describe('local time for maintenance windows', () => {
  it('reads a datetime-local value as local wall time and sends UTC', () => {
    // The Date(y, m, d, h, min) constructor is local time too: the two must agree whatever zone the test runs in.
    expect(localInputToIso('2026-12-01T03:00')).toBe(new Date(2026, 11, 1, 3, 0).toISOString());
    expect(localInputToIso('2026-12-01T03:00')).toMatch(/Z$/);
  });

  it('refuses incomplete input instead of guessing a time', () => {
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('2026-12-01')).toBeNull();
    expect(localInputToIso('2026-13-45T99:00')).toBeNull();
  });

  it('round-trips through the input format', () => {
    expect(isoToLocalInput(localInputToIso('2026-07-15T23:45')!)).toBe('2026-07-15T23:45');
  });

  it('shows UTC independently of the local zone', () => {
    expect(formatUtc('2026-12-01T02:00:00.000Z')).toBe('2026-12-01 02:00 UTC');
    expect(formatUtc('not a date')).toBe('not a date');
  });

  it('names the offset of the local zone at that instant', () => {
    const date = new Date(2026, 0, 1, 12);
    const minutes = -date.getTimezoneOffset() || 0; // not -0 in UTC
    expect(utcOffset(date)).toMatch(/^UTC[+-]\d{2}:\d{2}$/);
    const [, sign, hours, mins] = /^UTC([+-])(\d{2}):(\d{2})$/.exec(utcOffset(date))!;
    expect((sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(mins))).toBe(minutes);
  });

  it('suggests the next full hour as a start', () => {
    const start = nextFullHour(new Date(2026, 5, 1, 10, 20).getTime());
    expect([start.getHours(), start.getMinutes()]).toEqual([11, 0]);
  });
});
