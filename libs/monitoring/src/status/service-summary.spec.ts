import type { ServiceDetail } from '@app/contracts';
import { STATUS_DEFAULTS, toServiceStatus } from './service-summary.js';

function detail(overrides: Partial<ServiceDetail> = {}): ServiceDetail {
  return {
    id: 'checkout-api-eu',
    name: 'Checkout API (EU)',
    group: 'Customer-facing',
    state: 'up',
    since: '2026-11-27T08:00:00.000Z',
    paused: false,
    intervalSeconds: 30,
    lastCheck: { at: '2026-11-27T09:00:00.000Z', ok: true, latencyMs: 142, statusCode: 200 },
    uptime: { '24h': 100, '7d': 99.991, '30d': 99.958, '90d': 99.973 },
    slo: { target: 99.9, window: '30d', errorBudgetRemaining: 58.33 },
    ...overrides,
  };
}

describe('toServiceStatus (a service as /api/status lists it)', () => {
  it('keeps what the overview shows and leaves out defaults and detail-only fields', () => {
    expect(toServiceStatus(detail())).toEqual({
      id: 'checkout-api-eu',
      name: 'Checkout API (EU)',
      group: 'Customer-facing',
      state: 'up',
      lastCheck: { ok: true, latencyMs: 142 },
      uptime: { '30d': 99.958, '90d': 99.973 },
      errorBudgetRemaining: 58.33,
    });
  });

  it('names what differs from the defaults: no group, paused, its own SLO, stale', () => {
    const status = toServiceStatus(
      detail({
        group: null,
        paused: true,
        slo: { target: 99.5, window: '30d', errorBudgetRemaining: null },
        stale: true,
      }),
    );
    expect(status).not.toHaveProperty('group');
    expect(status).toMatchObject({ paused: true, slo: { target: 99.5, window: '30d' }, stale: true });
    expect(toServiceStatus(detail({ slo: { target: 99.9, window: '7d', errorBudgetRemaining: 1 } })).slo).toEqual({
      target: 99.9,
      window: '7d',
    });
    // Defaults are the document's: a page whose default differs names the service's own SLO.
    expect(toServiceStatus(detail(), { slo: { target: 99.95, window: '30d' } }).slo).toEqual({
      target: 99.9,
      window: '30d',
    });
  });

  it('keeps why a failed check failed (code and words), not when or its HTTP status', () => {
    const lastCheck = {
      at: '2026-11-27T09:00:00.000Z',
      ok: false,
      latencyMs: 5,
      statusCode: 503,
      error: 'HTTP 503',
      reason: 'the server answered 503',
      warning: 'certificate expires in 3 days',
      certificateExpiresAt: '2026-11-30T00:00:00.000Z',
    };
    expect(toServiceStatus(detail({ lastCheck })).lastCheck).toEqual({
      ok: false,
      latencyMs: 5,
      error: 'HTTP 503',
      reason: 'the server answered 503',
    });
    expect(toServiceStatus(detail({ lastCheck: null, since: null })).lastCheck).toBeNull();
  });

  it('fits a service with a realistic name, group and a long history in 200 bytes (issue 17)', () => {
    // Fractional uptime and budget are the long-running case; a fresh page (100 / 100) is smaller.
    const bytes = Buffer.byteLength(`${JSON.stringify(toServiceStatus(detail()))},`);
    expect(bytes).toBeLessThanOrEqual(200);
    expect(Buffer.byteLength(`${JSON.stringify(detail())},`)).toBeGreaterThan(2 * bytes - 100);
  });

  it('names the services-file defaults', () => {
    expect(STATUS_DEFAULTS).toEqual({ slo: { target: 99.9, window: '30d' } });
  });
});
