import { ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { Branding } from '../core/branding/branding';
import { AppLink } from '../core/navigation/app-link';

/** "Not found" in words, with the way back: for an unknown page, service, incident or maintenance window. */
@Component({
  selector: 'app-not-found-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink],
  template: `
    <section class="not-found" data-testid="not-found">
      <h1>{{ heading() }}</h1>
      <p>{{ text() }}</p>
      <p>
        <a [appLink]="{ kind: 'status' }">See the current status</a> or the
        <a [appLink]="{ kind: 'history', page: 1 }">incident history</a>.
      </p>
    </section>
  `,
  styles: `
    .not-found {
      padding: 2rem 0;
    }
    h1 {
      margin: 0 0 0.5rem;
      font-size: 1.5rem;
    }
  `,
})
export class NotFoundView {
  readonly what = input<'page' | 'service' | 'incident' | 'maintenance'>('page');
  readonly id = input('');

  protected readonly heading = computed(() => {
    switch (this.what()) {
      case 'page':
        return 'Page not found';
      case 'service':
        return 'Service not found';
      case 'incident':
        return 'Incident not found';
      case 'maintenance':
        return 'Maintenance not found';
    }
  });
  protected readonly text = computed(() => {
    switch (this.what()) {
      case 'page':
        return `There is no page at ${this.id()} on this status page.`;
      case 'service':
        return `There is no monitored service with the id “${this.id()}”.`;
      case 'incident':
        return `There is no incident “${this.id()}” in the last 90 days.`;
      case 'maintenance':
        return `There is no maintenance window “${this.id()}”.`;
    }
  });
}

/** The route for an unknown path (the server answered it with 404 too). */
@Component({
  selector: 'app-not-found-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [NotFoundView],
  template: `<app-not-found-view what="page" [id]="path()" />`,
})
export class NotFoundPage {
  readonly path = input.required<string>();

  constructor() {
    const branding = inject(Branding);
    effect(() => branding.setTitle('Page not found'));
  }
}
