import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { LATENCY_RANGES, type LatencyHistory, type LatencyPoint, type LatencyRange } from '@app/contracts';
import { formatLatency } from '../shared/format';
import { TimeView } from '../shared/time';

const RANGE_LABELS: Record<LatencyRange, string> = {
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '90d': '90 days',
};
const DAYS: Record<Exclude<LatencyRange, '24h'>, number> = { '7d': 7, '30d': 30, '90d': 90 };

export const CHART = { width: 600, height: 140 };

/** The points of a range: hours for 24 h, the tail of the daily points otherwise. */
export function rangePoints(history: LatencyHistory, range: LatencyRange): LatencyPoint[] {
  return range === '24h' ? history.hours : history.days.slice(-DAYS[range]);
}

/** SVG paths (viewBox CHART) of the typical latency (p50, else the mean) and of p95, with the scale's top. */
export function chartGeometry(points: readonly LatencyPoint[]): {
  typical: string;
  p95: string;
  failures: number[];
  top: number;
} {
  const typicalOf = (point: LatencyPoint) => point.p50Ms ?? point.avgMs;
  const values = points.flatMap((point) => [typicalOf(point), point.p95Ms]).filter((v): v is number => v !== null);
  const top = values.length === 0 ? 0 : niceCeiling(Math.max(...values) * 1.1);
  const step = points.length > 1 ? CHART.width / (points.length - 1) : 0;
  const y = (value: number) => (top === 0 ? CHART.height : CHART.height - (value / top) * (CHART.height - 4));
  const path = (pick: (point: LatencyPoint) => number | null) => {
    let d = '';
    let pen = false;
    points.forEach((point, index) => {
      const value = pick(point);
      if (value === null) {
        pen = false;
        return;
      }
      const x = points.length === 1 ? CHART.width / 2 : index * step;
      d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y(value).toFixed(1)}`;
      // A point with no neighbour to join (a new service: only the current hour) would draw nothing; a
      // zero-length segment with round caps draws it as a dot.
      const next = points[index + 1];
      if (!pen && (next === undefined || pick(next) === null)) d += 'h0';
      pen = true;
    });
    return d;
  };
  const failures = points.flatMap((point, index) =>
    point.failures > 0 ? [points.length === 1 ? CHART.width / 2 : index * step] : [],
  );
  return { typical: path(typicalOf), p95: path((point) => point.p95Ms), failures, top };
}

function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) if (value <= factor * magnitude) return factor * magnitude;
  return 10 * magnitude;
}

/**
 * Response time over 24 h / 7 d / 30 d / 90 d: a light SVG chart (typical and p95 latency, failed periods marked)
 * with the same numbers as a table for screen readers and anyone who wants them. No chart library.
 */
@Component({
  selector: 'app-latency-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [TimeView],
  template: `
    <div class="ranges" role="group" aria-label="Range">
      @for (option of ranges; track option) {
        <button
          type="button"
          [attr.aria-pressed]="range() === option"
          [attr.data-range]="option"
          (click)="range.set(option)"
        >
          {{ option }}
        </button>
      }
    </div>
    <p class="summary" data-testid="latency-summary">{{ summary() }}</p>
    <figure>
      <div class="plot">
        <span class="top" aria-hidden="true">{{ topLabel() }}</span>
        <svg
          role="img"
          [attr.aria-label]="label()"
          [attr.viewBox]="'0 0 ' + width + ' ' + height"
          preserveAspectRatio="none"
        >
          <line class="base" x1="0" [attr.y1]="height - 0.5" [attr.x2]="width" [attr.y2]="height - 0.5" />
          @for (x of geometry().failures; track $index) {
            <line class="fail" [attr.x1]="x" [attr.x2]="x" [attr.y1]="height * 0.8" [attr.y2]="height" />
          }
          <path class="p95" [attr.d]="geometry().p95" />
          <path class="typical" [attr.d]="geometry().typical" />
        </svg>
      </div>
      <figcaption>
        <span><i class="key typical"></i>{{ hasPercentiles() ? 'median (p50)' : 'average' }}</span>
        @if (hasP95()) {
          <span><i class="key p95"></i>95th percentile</span>
        }
        <span><i class="key fail"></i>failed checks</span>
        <span class="axis">{{ axis() }}</span>
      </figcaption>
    </figure>
    <details>
      <summary>Show as a table</summary>
      <div class="table-wrap" tabindex="0" role="region" [attr.aria-label]="'Response times, ' + rangeLabel()">
        <table data-testid="latency-table">
          <thead>
            <tr>
              <th scope="col">{{ range() === '24h' ? 'Hour' : 'Day' }}</th>
              <th scope="col">Checks</th>
              <th scope="col">Failed</th>
              <th scope="col">Average</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            @for (point of points(); track point.start) {
              <tr>
                <td><app-time [at]="point.start" /></td>
                <td>{{ point.checks }}</td>
                <td>{{ point.failures }}</td>
                <td>{{ ms(point.avgMs) }}</td>
                <td>{{ ms(point.p50Ms) }}</td>
                <td>{{ ms(point.p95Ms) }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    </details>
  `,
  styleUrl: './latency-chart.css',
})
export class LatencyChart {
  readonly history = input.required<LatencyHistory>();
  protected readonly ranges = LATENCY_RANGES;
  protected readonly width = CHART.width;
  protected readonly height = CHART.height;
  readonly range = signal<LatencyRange>('24h');

  protected readonly rangeLabel = computed(() => RANGE_LABELS[this.range()]);
  protected readonly points = computed(() => rangePoints(this.history(), this.range()));
  protected readonly geometry = computed(() => chartGeometry(this.points()));
  protected readonly hasPercentiles = computed(() => this.points().some((point) => point.p50Ms !== null));
  protected readonly hasP95 = computed(() => this.points().some((point) => point.p95Ms !== null));
  protected readonly topLabel = computed(() => (this.geometry().top === 0 ? '' : formatLatency(this.geometry().top)));
  protected readonly axis = computed(() =>
    this.range() === '24h' ? 'one point per hour, oldest left' : 'one point per day (UTC), oldest left',
  );
  protected readonly summary = computed(() => {
    const total = this.history().ranges[this.range()];
    if (total.checks === 0) return `${this.rangeLabel()}: no checks recorded.`;
    const parts = [
      `${this.rangeLabel()}: ${total.checks.toLocaleString('en')} checks, ${total.failures.toLocaleString('en')} failed`,
      `average ${formatLatency(total.avgMs)}`,
    ];
    if (total.p50Ms !== null) parts.push(`p50 ≈ ${formatLatency(total.p50Ms)}`);
    if (total.p95Ms !== null) parts.push(`p95 ≈ ${formatLatency(total.p95Ms)}`);
    return parts.join(' · ');
  });
  protected readonly label = computed(() => `Response time over the last ${this.rangeLabel()}. ${this.summary()}`);

  protected ms(value: number | null): string {
    return formatLatency(value);
  }
}
