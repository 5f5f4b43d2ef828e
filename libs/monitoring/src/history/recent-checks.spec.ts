import { SERVICE_STATES } from '@app/contracts';
import type { StoredCheck } from '../ports.js';
import { RecentChecks } from './recent-checks.js';

const AT = Date.UTC(2026, 11, 3, 7);

const check = (at: number, extra: Partial<StoredCheck> = {}): StoredCheck => ({
  serviceId: 'api',
  at,
  ok: true,
  latencyMs: 42,
  state: 'up',
  maintenance: false,
  ...extra,
});

/** A deterministic pseudo-random sequence (no flaky seeds). */
function* numbers(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    yield x / 2 ** 31;
  }
}

describe('RecentChecks', () => {
  it('keeps the newest `capacity` checks, newest first, equal to what was pushed', () => {
    const recent = new RecentChecks('api', 3);
    const pushed = [
      check(AT, { statusCode: 200, latencyMs: 12.5 }),
      check(AT + 1000, { ok: false, statusCode: 503, error: 'HTTP 503', state: 'degraded' }),
      check(AT + 2000, { warning: 'certificate expires in 3 days', certificateNotAfter: AT + 3 * 86_400_000 }),
      check(AT + 3000, { maintenance: true, state: 'maintenance', ok: false, error: 'ECONNREFUSED' }),
    ];
    for (const taken of pushed) recent.push(taken);
    expect(recent.length).toBe(3);
    expect(recent.toArray()).toEqual([pushed[3], pushed[2], pushed[1]]);
    expect(recent.newest).toBe(pushed[3]);
    expect(recent.at(3)).toBeUndefined();
    expect(recent.at(-1)).toBeUndefined();
    // Optional fields are absent when the check had none (not `undefined` properties).
    expect(Object.keys(recent.at(1) as StoredCheck)).not.toContain('error');
    expect(Object.keys(recent.at(2) as StoredCheck)).not.toContain('certificateNotAfter');
  });

  it('reads the latency line oldest first, null for a failed check', () => {
    const recent = RecentChecks.of('api', 30, [
      check(AT + 2000, { latencyMs: 30 }),
      check(AT + 1000, { ok: false, latencyMs: 800, error: 'timeout after 800ms' }),
      check(AT, { latencyMs: 10 }),
    ]);
    expect(recent.latencies()).toEqual([10, null, 30]);
    expect(new RecentChecks('api', 30).latencies()).toEqual([]);
  });

  it('finds the newest check that saw a certificate', () => {
    const recent = new RecentChecks('api', 30);
    expect(recent.newestWithCertificate()).toBeUndefined();
    recent.push(check(AT, { certificateNotAfter: AT + 5 }));
    recent.push(check(AT + 1000, { certificateNotAfter: AT + 9 }));
    recent.push(check(AT + 2000, { ok: false, error: 'ECONNRESET' }));
    expect(recent.newestWithCertificate()).toMatchObject({ at: AT + 1000, certificateNotAfter: AT + 9 });
  });

  it('builds from a store answer (newest first), keeping at most `capacity`', () => {
    const stored = [check(AT + 3000), check(AT + 2000), check(AT + 1000), check(AT)];
    const recent = RecentChecks.of('api', 2, stored);
    expect(recent.toArray()).toEqual(stored.slice(0, 2));
    expect(recent.newest).toBe(stored[0]);
  });

  it('shows a state it does not know (written by a newer version) as unknown, instead of failing the restore', () => {
    const recent = RecentChecks.of('api', 3, [check(AT + 1000), check(AT, { state: 'sideways' as never })]);
    expect(recent.at(1)).toMatchObject({ at: AT, state: 'unknown' });
  });

  it('needs room for at least one check', () => {
    expect(() => new RecentChecks('api', 0)).toThrow(RangeError);
  });

  it('agrees with a plain list of objects over a long random sequence', () => {
    const random = numbers(17);
    const next = () => random.next().value as number;
    const recent = new RecentChecks('api', 30);
    let reference: StoredCheck[] = [];
    for (let index = 0; index < 500; index += 1) {
      const failed = next() < 0.3;
      const taken = check(AT + index * 1000, {
        ok: !failed,
        latencyMs: Math.round(next() * 100_000) / 100,
        state: SERVICE_STATES[Math.floor(next() * SERVICE_STATES.length)],
        maintenance: next() < 0.1,
        ...(next() < 0.8 ? { statusCode: 200 + Math.floor(next() * 400) } : {}),
        ...(failed && next() < 0.9 ? { error: `failure ${index}` } : {}),
        ...(next() < 0.05 ? { warning: `warning ${index}` } : {}),
        ...(next() < 0.5 ? { certificateNotAfter: AT + Math.floor(next() * 1e10) } : {}),
      });
      recent.push(taken);
      reference = [taken, ...reference].slice(0, 30);
      if (index % 7 === 0 || index > 490) {
        expect(recent.toArray()).toEqual(reference);
        expect(recent.latencies()).toEqual([...reference].reverse().map((c) => (c.ok ? c.latencyMs : null)));
        expect(recent.newestWithCertificate()).toEqual(reference.find((c) => c.certificateNotAfter !== undefined));
      }
    }
  });
});
