import { TestBed } from '@angular/core/testing';
import { service } from '../../../testing/fixtures';
import { formatBudget, ServiceCard } from './service-card';

describe('formatBudget', () => {
  it('says how much error budget is left, and when it is spent', () => {
    expect(formatBudget(87.4)).toBe('87% left');
    expect(formatBudget(0)).toBe('exhausted');
    expect(formatBudget(-12)).toBe('exhausted');
    expect(formatBudget(null)).toBe('—');
  });
});

describe('ServiceCard', () => {
  function render(overrides: Parameters<typeof service>[0]) {
    const fixture = TestBed.createComponent(ServiceCard);
    fixture.componentRef.setInput('service', service(overrides));
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows state in words, latency, uptime, SLO and budget', () => {
    const element = render({ state: 'degraded' });
    expect(element.getAttribute('data-state')).toBe('degraded');
    expect(element.querySelector('app-state-badge')?.textContent?.trim()).toBe('Degraded');
    const values = [...element.querySelectorAll('dd')].map((dd) => dd.textContent?.trim());
    expect(values.slice(0, 4)).toEqual(['42 ms', '99.95%', '99.9% / 30d', '80% left']);
    expect(element.querySelector('a')?.getAttribute('href')).toBe('/services/api');
  });

  it('shows why the last check failed instead of a latency, in words with the code', () => {
    const element = render({
      state: 'down',
      lastCheck: {
        ok: false,
        latencyMs: 3,
        error: 'ECONNREFUSED',
        reason: 'connection refused',
      },
    });
    const cell = element.querySelector('dd.latency')!;
    expect(cell.textContent?.trim()).toBe('Connection refused (ECONNREFUSED)');
    // Never cut off without a way to read it: the full text is the title, and the cell wraps.
    expect(cell.getAttribute('title')).toBe('Connection refused (ECONNREFUSED)');
    expect(cell.classList).toContain('failed');
    expect(element.querySelector('.stats dt')?.textContent).toBe('Last check');
  });

  it('words a timeout without repeating the probe text', () => {
    const element = render({
      state: 'down',
      lastCheck: {
        ok: false,
        latencyMs: 800,
        error: 'timeout after 800ms',
        reason: 'no answer within 800 ms',
      },
    });
    expect(element.querySelector('dd.latency')?.textContent?.trim()).toBe('No answer within 800 ms');
  });

  it("shows the status document's default SLO for a service that leaves it out, and its own where it differs", () => {
    const slo = (element: HTMLElement) => element.querySelectorAll('dd')[2]?.textContent?.trim();
    expect(slo(render({}))).toBe('99.9% / 30d');
    expect(slo(render({ slo: { target: 99.5, window: '7d' } }))).toBe('99.5% / 7d');
    const fixture = TestBed.createComponent(ServiceCard);
    fixture.componentRef.setInput('service', service());
    fixture.componentRef.setInput('defaults', { slo: { target: 99.95, window: '28d' } });
    fixture.detectChanges();
    expect(slo(fixture.nativeElement as HTMLElement)).toBe('99.95% / 28d');
  });

  it('marks a paused service, and only that one', () => {
    expect(render({}).querySelector('.paused')).toBeNull();
    expect(render({ paused: true }).querySelector('.paused')?.textContent).toContain('Monitoring paused');
  });
});
