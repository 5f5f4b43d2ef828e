import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { formatLatency } from '../../shared/format';
import { sparkline } from './sparkline';

/** Recent check latencies as a tiny inline SVG; failed checks are red ticks on the baseline. */
@Component({
  selector: 'app-latency-sparkline',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg
      role="img"
      [attr.aria-label]="label()"
      [attr.viewBox]="'0 0 ' + width() + ' ' + height()"
      preserveAspectRatio="none"
      [attr.height]="height()"
    >
      <line class="base" x1="0" [attr.y1]="height() - 0.5" [attr.x2]="width()" [attr.y2]="height() - 0.5" />
      <path class="line" [attr.d]="line().path" />
      @for (x of line().failures; track $index) {
        <line class="fail" [attr.x1]="x" [attr.x2]="x" [attr.y1]="height() * 0.35" [attr.y2]="height()" />
      }
    </svg>
  `,
  styles: `
    :host {
      display: block;
    }
    svg {
      display: block;
      width: 100%;
      overflow: visible;
    }
    .base {
      stroke: var(--border);
      stroke-width: 1;
      vector-effect: non-scaling-stroke;
    }
    .line {
      fill: none;
      stroke: var(--accent);
      stroke-width: 1.5;
      stroke-linejoin: round;
      vector-effect: non-scaling-stroke;
    }
    .fail {
      stroke: var(--critical-text);
      stroke-width: 2;
      vector-effect: non-scaling-stroke;
    }
  `,
})
export class LatencySparkline {
  readonly values = input<readonly (number | null)[]>([]);
  readonly width = input(120);
  readonly height = input(32);

  protected readonly line = computed(() => sparkline(this.values(), this.width(), this.height()));
  protected readonly label = computed(() => {
    const { count, min, max, last, failures } = this.line();
    if (count === 0) return 'No latency data yet';
    const failed = failures.length > 0 ? `, ${failures.length} failed` : '';
    return `Latency of the last ${count} checks: latest ${last === null ? 'failed' : formatLatency(last)}, range ${formatLatency(min)} to ${formatLatency(max)}${failed}`;
  });
}
