import { TestBed } from '@angular/core/testing';
import type { LatencyHistory, LatencyPoint } from '@app/contracts';
import { chartGeometry, LatencyChart, rangePoints } from './latency-chart';

const point = (start: string, avgMs: number | null, extra: Partial<LatencyPoint> = {}): LatencyPoint => ({
  start,
  checks: 10,
  failures: 0,
  avgMs,
  p50Ms: null,
  p95Ms: null,
  ...extra,
});

function history(): LatencyHistory {
  const hours = Array.from({ length: 24 }, (_, index) =>
    point(`2026-12-01T${String(index).padStart(2, '0')}:00:00.000Z`, 40 + index, index === 5 ? { failures: 2 } : {}),
  );
  const days = Array.from({ length: 90 }, (_, index) => {
    const day = new Date(Date.UTC(2026, 8, 3 + index)).toISOString();
    return point(day, 50, index >= 80 ? { p50Ms: 45, p95Ms: 120 } : {});
  });
  const summary = { checks: 240, failures: 2, avgMs: 51, p50Ms: null, p95Ms: null };
  return {
    hours,
    days,
    ranges: {
      '24h': summary,
      '7d': { ...summary, checks: 1000, p50Ms: 45, p95Ms: 120 },
      '30d': summary,
      '90d': summary,
    },
  };
}

describe('latency chart geometry', () => {
  it('takes hours for 24 h and the tail of the days for the other ranges', () => {
    const data = history();
    expect(rangePoints(data, '24h')).toHaveLength(24);
    expect(rangePoints(data, '7d')).toHaveLength(7);
    expect(rangePoints(data, '30d')).toHaveLength(30);
    expect(rangePoints(data, '90d')).toHaveLength(90);
  });

  it('draws p50 where kept (the mean otherwise), p95 as its own line, and marks failures', () => {
    const geometry = chartGeometry(rangePoints(history(), '7d'));
    expect(geometry.typical.startsWith('M0.0 ')).toBe(true);
    expect(geometry.p95).not.toBe('');
    expect(geometry.top).toBe(200);
    expect(chartGeometry(rangePoints(history(), '24h')).failures).toHaveLength(1);
    expect(chartGeometry([]).typical).toBe('');
  });

  it('draws a lone point (a new service: only the current hour has checks) as a dot, not as nothing', () => {
    const hours = Array.from({ length: 24 }, (_, index) =>
      point(`2026-12-02T${String(index).padStart(2, '0')}:00:00Z`, index === 23 ? 40 : null),
    );
    expect(chartGeometry(hours).typical).toBe('M600.0 31.2h0');
    expect(chartGeometry([point('2026-12-02T00:00:00Z', 40), point('2026-12-02T01:00:00Z', 40)]).typical).toBe(
      'M0.0 31.2L600.0 31.2',
    );
  });
});

describe('LatencyChart', () => {
  it('switches ranges and offers the same numbers as a table', () => {
    const fixture = TestBed.createComponent(LatencyChart);
    fixture.componentRef.setInput('history', history());
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('[data-testid="latency-summary"]')?.textContent).toBe(
      '24 hours: 240 checks, 2 failed · average 51 ms',
    );
    expect(element.querySelectorAll('[data-testid="latency-table"] tbody tr')).toHaveLength(24);
    expect(element.querySelector('svg')?.getAttribute('aria-label')).toContain('Response time over the last 24 hours');

    (element.querySelector('button[data-range="7d"]') as HTMLButtonElement).click();
    fixture.detectChanges();
    expect(element.querySelector('button[data-range="7d"]')?.getAttribute('aria-pressed')).toBe('true');
    expect(element.querySelector('[data-testid="latency-summary"]')?.textContent).toContain('p95 ≈ 120 ms');
    const rows = element.querySelectorAll('[data-testid="latency-table"] tbody tr');
    expect(rows).toHaveLength(7);
    expect([...rows[6]!.querySelectorAll('td')].slice(1).map((cell) => cell.textContent)).toEqual([
      '10',
      '0',
      '50 ms',
      '45 ms',
      '120 ms',
    ]);
  });
});
