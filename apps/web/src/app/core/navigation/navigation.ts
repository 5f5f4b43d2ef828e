import { DestroyRef, DOCUMENT, inject, Injectable, signal } from '@angular/core';
import { AppRoute, parseRoute, routePath } from './app-route';

/** Current view as a signal; follows back/forward and in-app links. */
@Injectable({ providedIn: 'root' })
export class Navigation {
  private readonly document = inject(DOCUMENT);
  private readonly window = this.document.defaultView;
  private readonly basePath = new URL(this.document.baseURI).pathname;
  private readonly current = signal<AppRoute>(this.fromLocation());
  readonly route = this.current.asReadonly();

  constructor() {
    const onPopState = (): void => this.current.set(this.fromLocation());
    this.window?.addEventListener('popstate', onPopState);
    inject(DestroyRef).onDestroy(() => this.window?.removeEventListener('popstate', onPopState));
  }

  private fromLocation(): AppRoute {
    return parseRoute(this.document.location.pathname, this.basePath, this.document.location.search);
  }

  href(route: AppRoute): string {
    return `${this.basePath.replace(/\/?$/, '/')}${routePath(route)}`;
  }

  navigate(route: AppRoute): void {
    this.window?.history.pushState(null, '', this.href(route));
    this.current.set(route);
    this.window?.scrollTo(0, 0);
    // Move focus to the new content so keyboard and screen-reader users land on it, as a page load would.
    this.document.getElementById('main')?.focus({ preventScroll: true });
  }
}
