import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Severity shapes, so state is never told by colour alone: check, triangle, cross, wrench, dash. */
export type IconKind = 'ok' | 'warn' | 'error' | 'maintenance' | 'unknown';

const PATHS: Record<IconKind, string> = {
  ok: 'M4.5 8.5l2.5 2.5 5-5.5',
  warn: 'M8 5v3.5M8 11h.01',
  error: 'M5.5 5.5l5 5M10.5 5.5l-5 5',
  maintenance: 'M9.5 4.5a2.5 2.5 0 0 0-3 3L4 10l2 2 2.5-2.5a2.5 2.5 0 0 0 3-3l-1.5 1.5-1.5-1.5z',
  unknown: 'M5 8h6',
};

@Component({
  selector: 'app-state-icon',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
    <circle cx="8" cy="8" r="7.25" fill="currentColor" />
    <path
      [attr.d]="path()"
      fill="none"
      stroke="var(--icon-fg, #fff)"
      stroke-width="1.75"
      stroke-linecap="round"
      stroke-linejoin="round"
    />
  </svg>`,
  styles: `
    :host {
      display: inline-flex;
      flex: none;
    }
    svg {
      display: block;
    }
  `,
})
export class StateIcon {
  readonly kind = input.required<IconKind>();
  protected readonly path = computed(() => PATHS[this.kind()]);
}
