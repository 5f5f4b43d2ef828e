import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { IncidentSummary, ServiceDetailResponse, StatusResponse } from '@app/contracts';
import { of } from 'rxjs';
import { serviceDetail } from '../../testing/fixtures';
import { StatusApi } from '../core/api/status-api';
import { StatusFeed } from '../core/polling/status-feed';
import { ServiceDetailPage } from './service-detail-page';

class FakeFeed {
  readonly knownIncidents = signal<IncidentSummary[]>([]);
  /** The branding reads the page from the status document (none here: the defaults). */
  readonly status = signal<StatusResponse | null>(null);
  connect(): void {
    /* the page only needs the incidents signal */
  }
}

/** No latency data yet (a new service): the chart has nothing to draw. */
const NO_LATENCY = { checks: 0, failures: 0, avgMs: null, p50Ms: null, p95Ms: null };

function detail(overrides: Partial<ServiceDetailResponse> = {}): ServiceDetailResponse {
  return {
    service: serviceDetail({ id: 'shop', name: 'Shop' }),
    recentChecks: [],
    bars: [],
    certificate: null,
    latency: {
      hours: [],
      days: [],
      ranges: { '24h': NO_LATENCY, '7d': NO_LATENCY, '30d': NO_LATENCY, '90d': NO_LATENCY },
    },
    ...overrides,
  };
}

describe('ServiceDetailPage: check reasons and the certificate', () => {
  async function render(body: ServiceDetailResponse): Promise<HTMLElement> {
    TestBed.configureTestingModule({
      providers: [
        { provide: StatusFeed, useValue: new FakeFeed() },
        { provide: StatusApi, useValue: { service: () => of({ kind: 'fresh', body, etag: '"1"' }) } },
      ],
    });
    const fixture = TestBed.createComponent(ServiceDetailPage);
    fixture.componentRef.setInput('id', 'shop');
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows when the certificate expires and marks it when it is within the warning window', async () => {
    const element = await render(
      detail({
        certificate: {
          expiresAt: '2026-12-04T10:00:00.000Z',
          daysLeft: 3,
          checkedAt: '2026-12-01T09:00:00.000Z',
          warning: true,
        },
      }),
    );
    const certificate = element.querySelector('[data-testid="certificate"]');
    expect(certificate?.textContent).toContain('TLS certificate expires');
    expect(certificate?.textContent).toContain('(in 3 days)');
    expect(certificate?.classList.contains('expiring')).toBe(true);
  });

  it('says nothing about certificates for a service without TLS', async () => {
    const element = await render(detail());
    expect(element.querySelector('[data-testid="certificate"]')).toBeNull();
  });

  it("shows a passing check's warning, and the new failure reasons in the check log", async () => {
    const at = '2026-12-01T09:00:00.000Z';
    const warning = 'certificate expires in 3 days';
    const element = await render(
      detail({
        service: serviceDetail({
          id: 'shop',
          name: 'Shop',
          state: 'degraded',
          lastCheck: { at, ok: true, latencyMs: 20, statusCode: 200, warning },
        }),
        recentChecks: [
          { at, ok: true, latencyMs: 20, statusCode: 200, warning, state: 'degraded' },
          { at: '2026-12-01T08:59:00.000Z', ok: false, latencyMs: 3, error: 'NXDOMAIN', state: 'up' },
        ],
      }),
    );
    expect(element.querySelector('[data-testid="last-warning"]')?.textContent).toContain(warning);
    const cells = [...element.querySelectorAll('tbody tr')].map((row) => row.lastElementChild?.textContent?.trim());
    expect(cells).toEqual([warning, 'NXDOMAIN']);
  });
});
