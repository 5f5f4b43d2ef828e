import { TestBed } from '@angular/core/testing';
import { incident, statusResponse, service } from '../../testing/fixtures';
import { FETCH } from '../core/api/status-api';
import { StatusFeed } from '../core/polling/status-feed';
import { signal } from '@angular/core';
import type { StatusResponse } from '@app/contracts';
import { IncidentPage } from './incident-page';

class FakeFeed {
  readonly status = signal<StatusResponse | null>(
    statusResponse({ services: [service({ id: 'api', name: 'Public API' })] }),
  );
  connect(): void {}
}

function respond(status: number, body: unknown): typeof fetch {
  return () =>
    Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', etag: '"1"' } }),
    );
}

async function render(fetchFn: typeof fetch, id = 'inc-1') {
  TestBed.configureTestingModule({
    providers: [
      { provide: FETCH, useValue: fetchFn },
      { provide: StatusFeed, useValue: new FakeFeed() },
    ],
  });
  const fixture = TestBed.createComponent(IncidentPage);
  fixture.componentRef.setInput('id', id);
  fixture.detectChanges();
  await new Promise((done) => setTimeout(done, 20));
  fixture.detectChanges();
  return fixture.nativeElement as HTMLElement;
}

describe('IncidentPage', () => {
  it('shows title, impact, affected services, duration and every update newest first', async () => {
    const element = await render(
      respond(
        200,
        incident({
          title: 'Checkout errors',
          impact: 'major',
          status: 'resolved',
          serviceIds: ['api', 'gone'],
          startedAt: '2026-11-27T08:30:00Z',
          resolvedAt: '2026-11-27T09:35:10Z',
          updates: [
            { at: '2026-11-27T08:30:00Z', status: 'investigating', message: 'Looking.' },
            { at: '2026-11-27T09:35:10Z', status: 'resolved', message: 'Fixed.' },
          ],
        }),
      ),
    );
    expect(element.querySelector('h1')?.textContent).toBe('Checkout errors');
    expect(element.querySelector('.impact')?.textContent).toBe('Major impact');
    expect(element.querySelector('[data-testid="duration"]')?.textContent?.trim()).toBe('1 h 5 min');
    expect(element.textContent).toContain('Public API');
    expect(element.textContent).toContain('gone');
    expect([...element.querySelectorAll('.timeline .message')].map((node) => node.textContent)).toEqual([
      'Fixed.',
      'Looking.',
    ]);
    const time = element.querySelector('.timeline time')!;
    expect(time.getAttribute('title')).toBe('2026-11-27 09:35:10 UTC');
  });

  it('says the incident does not exist when the API answers 404', async () => {
    const element = await render(respond(404, { statusCode: 404, error: 'Not Found', message: 'no' }), 'nope');
    expect(element.querySelector('[data-testid="not-found"] h1')?.textContent).toBe('Incident not found');
  });
});
