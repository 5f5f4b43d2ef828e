import { TestBed } from '@angular/core/testing';
import { service } from '../../../testing/fixtures';
import { UptimeBars } from './uptime-bars';

describe('UptimeBars', () => {
  function render(days: { date: string; uptime: number | null }[]) {
    const fixture = TestBed.createComponent(UptimeBars);
    fixture.componentRef.setInput('service', service());
    fixture.componentRef.setInput('days', days);
    fixture.detectChanges();
    return fixture;
  }
  const days = [
    { date: '2026-11-25', uptime: 100 },
    { date: '2026-11-26', uptime: 96 },
    { date: '2026-11-27', uptime: 90 },
  ];

  it('renders 90 placeholder bars while the history loads so the layout does not shift', () => {
    const bars = (render([]).nativeElement as HTMLElement).querySelectorAll('li.bar');
    expect(bars).toHaveLength(90);
    expect([...bars].every((bar) => bar.getAttribute('data-level') === 'none')).toBe(true);
  });

  it('colours each day by its uptime and names it for screen readers', () => {
    const element = render(days).nativeElement as HTMLElement;
    const bars = [...element.querySelectorAll('li.bar')];
    expect(bars.map((bar) => bar.getAttribute('data-level'))).toEqual(['ok', 'major', 'critical']);
    expect(bars[1]?.getAttribute('aria-label')).toBe('Nov 26, 2026: 96.00% uptime, no incidents');
    expect(element.querySelector('ol')?.getAttribute('aria-label')).toBe(
      'Daily uptime of Public API, oldest to newest',
    );
  });

  it('is one tab stop, moves with the arrow keys and shows the tooltip of the focused day', async () => {
    const fixture = render(days);
    const element = fixture.nativeElement as HTMLElement;
    const bars = [...element.querySelectorAll<HTMLElement>('li.bar')];
    expect(bars.map((bar) => bar.tabIndex)).toEqual([-1, -1, 0]);

    bars[2]!.focus();
    bars[2]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    await fixture.whenStable();

    expect(document.activeElement).toBe(bars[1]);
    expect(bars.map((bar) => bar.tabIndex)).toEqual([-1, 0, -1]);
    expect(element.querySelector('.tooltip')?.textContent).toContain('Nov 26, 2026');
    expect(element.querySelector('.tooltip')?.textContent).toContain('96.00% uptime');
  });
});
