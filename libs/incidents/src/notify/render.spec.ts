import type { IncidentNotification } from './notifier.js';
import { headline, humanDuration, plainTextBody, subjectLine, SUBJECT_MAX_LENGTH } from './render.js';
import { notification as fixture } from '../testing/index.js';

const notification = (patch: Partial<IncidentNotification> = {}) =>
  fixture({ message: 'We are investigating failed checks.', ...patch });

const PRINTABLE_ASCII = /^[\x21-\x7e][\x20-\x7e]*$/;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [12 * 60_000, '12m'],
    [59 * 60_000 + 59_000, '59m'],
    [60 * 60_000, '1h'],
    [65 * 60_000, '1h 5m'],
    [27 * 3_600_000, '1d 3h'],
    [48 * 3_600_000, '2d'],
    [-5, '0s'],
    [Number.NaN, '0s'],
  ])('formats %p ms as %p', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe('subjectLine', () => {
  it('leads with the transition and says what happened', () => {
    expect(subjectLine(notification())).toBe('[DOWN] Checkout API is down');
    expect(
      subjectLine(notification({ transition: 'resolved', status: 'resolved', resolvedAt: '2026-01-10T12:12:30.000Z' })),
    ).toBe('[RESOLVED] Checkout API recovered after 12m');
    expect(
      subjectLine(
        notification({ kind: 'manual', title: 'Payments delayed', transition: 'update', status: 'identified' }),
      ),
    ).toBe('[UPDATE] Payments delayed - identified');
    expect(
      subjectLine(notification({ transition: 'reminder', title: 'Payments delayed', at: '2026-01-10T13:00:00.000Z' })),
    ).toBe('[REMINDER] Payments delayed still open after 1h');
    expect(subjectLine(notification({ kind: 'manual', title: 'Payments delayed' }))).toBe(
      '[INCIDENT] Payments delayed',
    );
  });

  it('stays at most 100 printable ASCII characters for a long Unicode title, ending in "..."', () => {
    const title = 'Zahlungsdienst gestört — “Kasse” fällt aus ✨🔥 日本語 '.repeat(6);
    const subject = subjectLine(notification({ title }));
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_LENGTH);
    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject).toContain('Zahlungsdienst gestort - "Kasse" fallt aus');
  });

  it('never contains line breaks or control characters and never starts with whitespace', () => {
    const subject = subjectLine(notification({ title: '\n\t  Checkout\r\nAPI\u0000 is\u2028down  ' }));
    expect(subject).toBe('[DOWN] Checkout API is down');
    expect(subject).toMatch(PRINTABLE_ASCII);
  });

  it('is exactly 100 characters when the headline is just too long', () => {
    const subject = subjectLine(notification({ title: 'x'.repeat(200) }));
    expect(subject).toHaveLength(100);
    expect(subject).toBe(`[DOWN] ${'x'.repeat(90)}...`);
  });

  it('falls back to the service names when the title is blank', () => {
    expect(subjectLine(notification({ title: '   ', serviceIds: ['a', 'b'], serviceNames: ['Alpha', 'Beta'] }))).toBe(
      '[DOWN] Alpha, Beta',
    );
  });
});

describe('plainTextBody', () => {
  it('tells what happened, the services, since when, status, last error, the message and the link', () => {
    const body = plainTextBody(
      notification({
        serviceIds: ['checkout', 'search'],
        serviceNames: ['Checkout API', 'Search'],
        at: '2026-01-10T12:12:00.000Z',
      }),
    );
    expect(body).toContain('A new incident was opened.');
    expect(body).toContain('Services:      Checkout API (checkout), Search (search)');
    expect(body).toContain('Since:         2026-01-10T12:00:00.000Z (12m ago)');
    expect(body).toContain('Status:        investigating');
    expect(body).toContain('Severity:      major');
    expect(body).toContain('Last error:    service unavailable (HTTP 503)');
    expect(body).toContain('Message:\nWe are investigating failed checks.');
    expect(body).toContain('Details: https://status.example.com/incidents/inc-1');
  });

  it('adds the resolution time and duration on resolve, and omits an absent last error', () => {
    const body = plainTextBody(
      notification({
        transition: 'resolved',
        status: 'resolved',
        lastError: null,
        resolvedAt: '2026-01-10T13:05:00.000Z',
        at: '2026-01-10T13:05:00.000Z',
      }),
    );
    expect(body).toContain('The incident was resolved.');
    expect(body).toContain('Resolved:      2026-01-10T13:05:00.000Z (after 1h 5m)');
    expect(body).not.toContain('Last error');
  });

  it('computes "since … ago" and reminders at send time', () => {
    const queued = notification({ at: '2026-01-10T12:00:00.000Z' });
    const sent = { ...queued, sentAt: '2026-01-10T12:04:00.000Z' };
    expect(plainTextBody(sent)).toContain('Since:         2026-01-10T12:00:00.000Z (4m ago)');
    expect(plainTextBody(sent)).toContain('Sent at 2026-01-10T12:04:00.000Z');
    const reminder = notification({ transition: 'reminder', at: '2026-01-10T13:00:00.000Z' });
    expect(headline({ ...reminder, sentAt: '2026-01-10T13:30:00.000Z' })).toBe(
      '[REMINDER] Checkout API is down still open after 1h 30m',
    );
  });

  it('says a closed incident did not recover when its service was removed or paused', () => {
    const closed = notification({
      kind: 'auto',
      transition: 'resolved',
      status: 'resolved',
      resolvedAt: '2026-01-10T12:00:54.000Z',
      closure: 'removed',
    });
    expect(headline(closed)).toBe(
      '[CLOSED] Checkout API removed from monitoring while failing; incident closed after 54s',
    );
    expect(headline({ ...closed, closure: 'paused' })).toBe(
      '[CLOSED] Checkout API paused while failing; incident closed after 54s',
    );
    expect(headline({ ...closed, closure: 'recovered' })).toBe('[RESOLVED] Checkout API recovered after 54s');
    expect(plainTextBody(closed)).toContain('removed from monitoring. It did not recover.');
  });

  it('keeps the multi-line message but drops control characters from it', () => {
    const body = plainTextBody(notification({ message: 'line one\r\nline two\u0007\u001b[31m' }));
    expect(body).toContain('line one\nline two[31m');
    // eslint-disable-next-line no-control-regex
    expect(body).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
