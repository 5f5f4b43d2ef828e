import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import type { StatusResponse } from '@app/contracts';
import { pageInfo, statusResponse } from '../../../testing/fixtures';
import { StatusFeed } from '../polling/status-feed';
import { Branding } from './branding';

describe('Branding', () => {
  const status = signal<StatusResponse | null>(null);

  beforeEach(() => {
    status.set(null);
    TestBed.configureTestingModule({ providers: [{ provide: StatusFeed, useValue: { status } }] });
  });
  afterEach(() => {
    document.documentElement.style.removeProperty('--brand-accent');
    document.documentElement.style.removeProperty('--brand-accent-dark');
  });

  it('starts from the title in the document and follows the configured page', () => {
    document.title = 'Acme Status';
    const branding = TestBed.inject(Branding);
    expect(branding.title()).toBe('Acme Status');
    status.set(
      statusResponse({
        page: pageInfo({ title: 'Acme Cloud', colors: { accent: '#ff0000', accentDark: null }, subscriptions: true }),
      }),
    );
    TestBed.tick();
    expect(branding.title()).toBe('Acme Cloud');
    expect(branding.subscriptions()).toBe(true);
    expect(document.documentElement.style.getPropertyValue('--brand-accent')).toBe('#ff0000');
    expect(document.documentElement.style.getPropertyValue('--brand-accent-dark')).toBe('');
    branding.setTitle('History');
    expect(TestBed.inject(Title).getTitle()).toBe('History — Acme Cloud');
  });
});
