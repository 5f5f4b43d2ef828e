import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { IncidentSummary } from '@app/contracts';
import { adminIncident, FakeFetch, json, MemoryStorage, settle } from '../../../testing/admin-fixtures';
import { service, statusResponse } from '../../../testing/fixtures';
import { FETCH } from '../../core/api/status-api';
import { ADMIN_TOKEN_STORAGE, AdminSession } from '../session/admin-session';
import { Announcer } from '../shared/announcer';
import { IncidentEdits } from './incident-edits';
import { IncidentPage } from './incident-page';

describe('IncidentPage', () => {
  let fake: FakeFetch;
  let stored: IncidentSummary;

  async function render(
    incident: IncidentSummary,
  ): Promise<{ fixture: ComponentFixture<IncidentPage>; element: HTMLElement }> {
    stored = incident;
    const fixture = TestBed.createComponent(IncidentPage);
    fixture.componentRef.setInput('id', incident.id);
    fixture.detectChanges();
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  const radio = (element: HTMLElement, status: string) => element.querySelector<HTMLInputElement>(`#status-${status}`)!;

  function typeMessage(element: HTMLElement, text: string): void {
    const area = element.querySelector<HTMLTextAreaElement>('#update-message')!;
    area.value = text;
    area.dispatchEvent(new Event('input'));
  }

  beforeEach(() => {
    fake = new FakeFetch()
      .on('GET', /\/api\/incidents\/[^/]+$/, () => json(stored))
      .on('GET', /\/api\/status$/, () => json(statusResponse({ services: [service({ id: 'shop', name: 'Shop' })] })));
    TestBed.configureTestingModule({
      providers: [
        Announcer,
        IncidentEdits,
        { provide: FETCH, useValue: fake.fetch },
        { provide: ADMIN_TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    TestBed.inject(AdminSession).signIn('sp_token');
  });

  it('offers only the statuses the API accepts, with the reason for the others', async () => {
    const { element } = await render(adminIncident({ kind: 'auto', status: 'identified', title: 'Shop is down' }));
    expect(radio(element, 'investigating').disabled).toBe(true);
    expect(element.querySelector('#status-investigating-why')?.textContent).toContain('cannot go back from identified');
    expect(radio(element, 'identified').disabled).toBe(false);
    expect(radio(element, 'monitoring').disabled).toBe(false);
    expect(radio(element, 'monitoring').checked).toBe(true);
    expect(radio(element, 'resolved').disabled).toBe(true);
    expect(element.querySelector('#status-resolved-why')?.textContent).toContain(
      'resolves automatically when Shop recovers',
    );
  });

  it('previews the update as the public page will show it, then posts it', async () => {
    const { fixture, element } = await render(adminIncident());
    expect(element.querySelector('[data-testid="preview"] h2')?.textContent).toContain('now');
    typeMessage(element, 'Rolling back the deploy.');
    await settle(fixture);
    const preview = element.querySelector('[data-testid="preview"]')!;
    expect(preview.querySelector('h2')?.textContent).toContain('Preview');
    const timeline = [...preview.querySelectorAll('app-incident-card li')].map((item) => item.textContent);
    expect(timeline[0]).toContain('Identified');
    expect(timeline[0]).toContain('Rolling back the deploy.');

    const updated = adminIncident({
      status: 'identified',
      updates: [
        ...adminIncident().updates,
        { at: new Date().toISOString(), status: 'identified', message: 'Rolling back the deploy.' },
      ],
    });
    fake.on('POST', /incidents\/inc-1\/updates$/, () => json(updated, 201));
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(fake.requests.find((request) => request.method === 'POST')?.body).toEqual({
      status: 'identified',
      message: 'Rolling back the deploy.',
      notify: false,
    });
    expect(element.querySelector('[data-testid="incident-status"]')?.textContent).toContain('Identified');
    expect(element.querySelector<HTMLTextAreaElement>('#update-message')!.value).toBe('');
    expect(TestBed.inject(Announcer).message()?.text).toBe('Update posted: Identified.');
  });

  it("shows the API's refusal (409) and field errors in the update form", async () => {
    const { fixture, element } = await render(adminIncident());
    fake.on('POST', /updates$/, () =>
      json(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: 'message: "" must be 1-5000 characters',
          details: [{ path: 'message', value: '', rule: 'must be 1-5000 characters' }],
        },
        400,
      ),
    );
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(element.querySelector('#update-message-error')?.textContent).toContain('"" must be 1-5000 characters');
    expect(element.querySelector('#update-message')?.getAttribute('aria-invalid')).toBe('true');

    fake.on('POST', /updates$/, () =>
      json({ statusCode: 409, error: 'Conflict', message: 'incident "inc-1" is resolved; open a new one' }, 409),
    );
    typeMessage(element, 'Still on it.');
    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(element.querySelector('[data-testid="error-summary"]')?.textContent).toContain(
      'Refused (HTTP 409): incident "inc-1" is resolved; open a new one',
    );
  });

  it('offers no update for a resolved incident, but still lets the impact be corrected', async () => {
    const resolved = adminIncident({ status: 'resolved', resolvedAt: '2026-11-27T09:00:00.000Z' });
    const { fixture, element } = await render(resolved);
    expect(element.querySelector('#update-message')).toBeNull();
    expect(element.querySelector('[data-testid="no-updates"]')?.textContent).toContain('resolved; open a new one');

    fake.on('PATCH', /incidents\/inc-1$/, (body) => json({ ...resolved, ...(body as object) }));
    const select = element.querySelector<HTMLSelectElement>('#edit-impact')!;
    select.value = 'minor';
    select.dispatchEvent(new Event('change'));
    element.querySelectorAll('form')[0]!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle(fixture);
    expect(fake.requests.find((request) => request.method === 'PATCH')?.body).toEqual({
      title: 'Checkout errors',
      impact: 'minor',
    });
  });
});
