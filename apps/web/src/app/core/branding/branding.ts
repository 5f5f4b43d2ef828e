import { computed, DOCUMENT, effect, inject, Injectable } from '@angular/core';
import { Title } from '@angular/platform-browser';
import type { PageInfo } from '@app/contracts';
import { StatusFeed } from '../polling/status-feed';

export const DEFAULT_TITLE = 'CloudOps Status';

/**
 * The page's branding from the API (`page` of /api/status, set in the services file — no rebuild): title, logo,
 * accent colours, footer links, support link, subscriptions. Until the first answer the title is the one in
 * index.html (the server writes the configured one there), so the header does not flip from a default.
 */
@Injectable({ providedIn: 'root' })
export class Branding {
  private readonly document = inject(DOCUMENT);
  private readonly feed = inject(StatusFeed);
  private readonly titleService = inject(Title);
  private readonly initialTitle = this.document.title.trim() || DEFAULT_TITLE;

  readonly page = computed<PageInfo | null>(() => this.feed.status()?.page ?? null);
  readonly title = computed(() => this.page()?.title ?? this.initialTitle);
  readonly logoUrl = computed(() => this.page()?.logoUrl ?? null);
  readonly links = computed(() => this.page()?.links ?? []);
  readonly supportUrl = computed(() => this.page()?.supportUrl ?? null);
  readonly subscriptions = computed(() => this.page()?.subscriptions === true);

  constructor() {
    const root = this.document.documentElement;
    effect(() => {
      const colors = this.page()?.colors;
      // Custom properties the stylesheet reads with the built-in colours as fallback (light and dark apart).
      for (const [name, value] of [
        ['--brand-accent', colors?.accent],
        ['--brand-accent-dark', colors?.accentDark],
      ] as const) {
        if (value) root.style.setProperty(name, value);
        else root.style.removeProperty(name);
      }
    });
  }

  /** Sets the document title: "<what> — <page title>", or the page title alone. */
  setTitle(what: string | null): void {
    this.titleService.setTitle(what === null ? this.title() : `${what} — ${this.title()}`);
  }
}
