import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { HistoryResponse, IncidentSummary, StatusResponse } from '@app/contracts';
import { incident, service, statusResponse } from '../../testing/fixtures';
import { StatusFeed } from '../core/polling/status-feed';
import { StatusPage } from './status-page';

/** Same signals as the real feed, driven by the spec. */
class FakeFeed {
  readonly status = signal<StatusResponse | null>(null);
  readonly history = signal<HistoryResponse | null>(null);
  readonly incidents = signal<IncidentSummary[] | null>(null);
  readonly lastUpdatedAt = signal<number | null>(null);
  readonly stale = signal(false);
  readonly knownIncidents = signal<IncidentSummary[]>([]);
  connected = false;
  connect(): void {
    this.connected = true;
  }
}

describe('StatusPage', () => {
  let feed: FakeFeed;

  function render() {
    const fixture = TestBed.createComponent(StatusPage);
    fixture.detectChanges();
    return fixture;
  }

  beforeEach(() => {
    feed = new FakeFeed();
    TestBed.configureTestingModule({ providers: [{ provide: StatusFeed, useValue: feed }] });
  });

  it('starts polling and shows only the loading headline before the first answer', () => {
    const element = render().nativeElement as HTMLElement;
    expect(feed.connected).toBe(true);
    expect(element.querySelector('app-overall-banner h1')?.textContent).toContain('Loading');
    expect(element.querySelectorAll('app-service-card')).toHaveLength(0);
  });

  it('lists services by group with the active incident timeline', async () => {
    feed.status.set(
      statusResponse({
        overall: 'degraded',
        services: [
          service({ id: 'api', name: 'API', group: 'Core' }),
          service({ id: 'db', name: 'Database', group: 'Data', state: 'degraded' }),
        ],
        activeIncidents: [
          incident({
            title: 'Slow queries',
            serviceIds: ['db'],
            updates: [{ at: '2026-11-27T09:00:00Z', status: 'identified', message: 'Index rebuild running.' }],
          }),
        ],
      }),
    );
    feed.lastUpdatedAt.set(Date.now());
    const fixture = render();
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect([...element.querySelectorAll('.group-name')].map((group) => group.textContent?.trim())).toEqual([
      'Core',
      'Data',
    ]);
    expect(element.querySelector('app-service-card[data-service-id="db"]')?.getAttribute('data-state')).toBe(
      'degraded',
    );
    expect(element.querySelector('app-incident-card')?.textContent).toContain('Index rebuild running.');
    expect(element.querySelector('app-incident-card')?.textContent).toContain('Affects Database');
    expect(element.querySelector('[data-testid="updated"]')?.textContent).toMatch(/Updated \d+ s ago/);
  });

  it('keeps the last data on screen under a stale warning when the API is unreachable', async () => {
    feed.status.set(statusResponse({ services: [service({ name: 'Public API' })] }));
    feed.lastUpdatedAt.set(Date.now() - 45_000);
    feed.stale.set(true);
    const fixture = render();
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const warning = element.querySelector('[data-testid="stale-warning"]');
    expect(warning?.getAttribute('role')).toBe('alert');
    expect(warning?.textContent).toContain("can't be reached");
    expect(warning?.textContent).toMatch(/last data received 4\d s ago/);
    expect(element.querySelector('app-service-card h3')?.textContent).toContain('Public API');
  });

  it('hides past incidents when the API has no incidents endpoint', async () => {
    feed.status.set(statusResponse());
    feed.incidents.set(null);
    const fixture = render();
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('app-past-incidents')).toBeNull();

    feed.incidents.set([]);
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).querySelector('app-past-incidents')).not.toBeNull();
  });
});
