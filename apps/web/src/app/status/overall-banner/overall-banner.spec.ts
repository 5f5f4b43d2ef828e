import { TestBed } from '@angular/core/testing';
import { OverallBanner } from './overall-banner';

describe('OverallBanner', () => {
  function render(inputs: Record<string, unknown>) {
    const fixture = TestBed.createComponent(OverallBanner);
    for (const [name, value] of Object.entries(inputs)) fixture.componentRef.setInput(name, value);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('shows a loading headline of the same shape before the first answer', () => {
    const element = render({});
    expect(element.getAttribute('data-overall')).toBe('loading');
    expect(element.querySelector('h1')?.textContent).toContain('Loading current status');
  });

  it("states the server's headline in words, not only in colour", () => {
    const element = render({ overall: 'partial_outage' });
    expect(element.getAttribute('data-overall')).toBe('partial_outage');
    expect(element.querySelector('h1')?.textContent?.trim()).toBe('Partial outage');
    expect(element.querySelector('app-state-icon svg')).not.toBeNull();
  });
});
