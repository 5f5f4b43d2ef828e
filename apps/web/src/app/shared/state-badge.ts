import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ServiceState } from '@app/contracts';
import { stateLabel } from './format';
import { IconKind, StateIcon } from './state-icon';

export function stateIcon(state: ServiceState): IconKind {
  switch (state) {
    case 'up':
      return 'ok';
    case 'degraded':
      return 'warn';
    case 'down':
      return 'error';
    case 'maintenance':
      return 'maintenance';
    case 'unknown':
      return 'unknown';
  }
}

/** A service state as icon + words in the state's colour. */
@Component({
  selector: 'app-state-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [StateIcon],
  host: { class: 'state-badge', '[attr.data-state]': 'state()' },
  template: `<app-state-icon [kind]="icon()" /><span class="label">{{ label() }}</span>`,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.375rem;
      font-weight: 600;
      font-size: 0.875rem;
      white-space: nowrap;
    }
    :host([data-state='up']) {
      color: var(--ok-text);
    }
    :host([data-state='degraded']) {
      color: var(--minor-text);
    }
    :host([data-state='down']) {
      color: var(--critical-text);
    }
    :host([data-state='maintenance']) {
      color: var(--maintenance-text);
    }
    :host([data-state='unknown']) {
      color: var(--muted);
    }
  `,
})
export class StateBadge {
  readonly state = input.required<ServiceState>();
  protected readonly icon = computed(() => stateIcon(this.state()));
  protected readonly label = computed(() => stateLabel(this.state()));
}
