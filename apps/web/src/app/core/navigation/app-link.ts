import { computed, Directive, inject, input } from '@angular/core';
import { AppRoute } from './app-route';
import { Navigation } from './navigation';

/** `<a [appLink]="route">`: a real href (open in new tab works) with client-side navigation on a plain click. */
@Directive({
  selector: 'a[appLink]',
  host: { '[attr.href]': 'href()', '(click)': 'onClick($event)' },
})
export class AppLink {
  private readonly navigation = inject(Navigation);
  readonly appLink = input.required<AppRoute>();
  protected readonly href = computed(() => this.navigation.href(this.appLink()));

  protected onClick(event: MouseEvent): void {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    this.navigation.navigate(this.appLink());
  }
}
