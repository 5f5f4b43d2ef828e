import { TestBed } from '@angular/core/testing';
import type { IncidentSummary } from '@app/contracts';
import { incident } from '../../../testing/fixtures';
import { PastIncidents } from './past-incidents';

describe('PastIncidents', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  function render(incidents: IncidentSummary[]) {
    const fixture = TestBed.createComponent(PastIncidents);
    fixture.componentRef.setInput('incidents', incidents);
    fixture.componentRef.setInput('now', now);
    fixture.detectChanges();
    return fixture.nativeElement as HTMLElement;
  }

  it('says so in one line when the last 14 days were quiet', () => {
    const element = render([]);
    expect(element.textContent?.trim()).toBe('No incidents reported in the last 14 days.');
    expect(element.querySelectorAll('.day')).toHaveLength(0);
  });

  it('lists every day once there is an incident to show', () => {
    const element = render([
      incident({
        title: 'Queue backlog',
        status: 'resolved',
        impact: 'major',
        startedAt: '2026-11-24T09:00:00Z',
        resolvedAt: '2026-11-24T10:00:00Z',
      }),
    ]);
    expect(element.querySelectorAll('.day')).toHaveLength(14);
    expect(element.querySelector('.incident[data-impact="major"] .title')?.textContent).toBe('Queue backlog');
  });
});
