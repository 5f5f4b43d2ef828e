import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import type { IncidentSummary, ServiceStatus } from '@app/contracts';
import { formatDay, formatPercent } from '../../shared/format';
import { BarInput, buildBars, lastDays } from './bar-level';

function barIndex(target: EventTarget | null): number | null {
  const value = target instanceof HTMLElement ? target.dataset['index'] : undefined;
  return value === undefined ? null : Number(value);
}

/**
 * One bar per day coloured by uptime. The row is a single tab stop (roving tabindex): arrow keys, Home and End move
 * between days and the focused or hovered day shows its tooltip; each bar's accessible name carries the same text.
 */
@Component({
  selector: 'app-uptime-bars',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './uptime-bars.html',
  styleUrl: './uptime-bars.css',
})
export class UptimeBars {
  /** Whose days these are: the id (incidents), the name (accessible label) and the 30 / 90 day captions. */
  readonly service = input.required<Pick<ServiceStatus, 'id' | 'name' | 'uptime'>>();
  /** Days oldest first; empty while loading (placeholders of `placeholderDays` keep the layout stable). */
  readonly days = input<readonly BarInput[]>([]);
  readonly incidents = input<readonly IncidentSummary[]>([]);
  readonly placeholderDays = input(90);

  protected readonly bars = computed(() => {
    const days = this.days();
    const input = days.length > 0 ? days : lastDays(this.placeholderDays()).map((date) => ({ date, uptime: null }));
    return buildBars(input, this.service().id, this.incidents());
  });
  /**
   * Server-computed uptime of the windows the row can show (a narrow row shows only the last 30 days). Taken from
   * /api/status rather than averaged from the bars, so the caption is there with the first paint and does not move
   * when the history arrives.
   */
  protected readonly caption30 = computed(() => formatPercent(this.service().uptime['30d']));
  protected readonly caption90 = computed(() => formatPercent(this.service().uptime['90d']));
  protected readonly label = computed(() => `Daily uptime of ${this.service().name}, oldest to newest`);
  /** Bar that owns the tab stop; today by default. */
  protected readonly focusIndex = signal<number | null>(null);
  protected readonly tooltipIndex = signal<number | null>(null);
  /** Horizontal centre of the active bar in px and as a fraction of the row (bars may be hidden on narrow rows). */
  private readonly anchor = signal<{ px: number; ratio: number } | null>(null);
  protected readonly rovingIndex = computed(() => this.focusIndex() ?? this.bars().length - 1);
  protected readonly tooltip = computed(() => {
    const index = this.tooltipIndex();
    const bars = this.bars();
    if (index === null || index >= bars.length) return null;
    const bar = bars[index]!;
    const anchor = this.anchor();
    const ratio = anchor?.ratio ?? (index + 0.5) / bars.length;
    return {
      bar,
      day: formatDay(bar.date),
      uptime: bar.uptime === null ? 'No data' : `${formatPercent(bar.uptime)} uptime`,
      left: anchor === null ? `${ratio * 100}%` : `${anchor.px}px`,
      align: ratio < 0.34 ? 'start' : ratio > 0.66 ? 'end' : 'center',
    };
  });
  protected readonly firstLabel = computed(() => `${this.bars().length} days ago`);

  protected hide(): void {
    this.tooltipIndex.set(null);
  }

  protected onPointer(event: Event): void {
    const index = barIndex(event.target);
    if (index === null) return;
    this.anchorOn(event.target as HTMLElement);
    this.tooltipIndex.set(index);
  }

  protected onFocusIn(event: Event): void {
    const index = barIndex(event.target);
    if (index === null) return;
    this.anchorOn(event.target as HTMLElement);
    this.focusIndex.set(index);
    this.tooltipIndex.set(index);
  }

  private anchorOn(bar: HTMLElement): void {
    const width = bar.parentElement?.clientWidth ?? 0;
    const px = bar.offsetLeft + bar.offsetWidth / 2;
    this.anchor.set(width > 0 ? { px, ratio: px / width } : null);
  }

  protected onKeydown(event: KeyboardEvent, list: HTMLElement): void {
    const count = this.bars().length;
    const current = this.rovingIndex();
    let next: number;
    switch (event.key) {
      case 'ArrowLeft':
      case 'ArrowUp':
        next = Math.max(0, current - 1);
        break;
      case 'ArrowRight':
      case 'ArrowDown':
        next = Math.min(count - 1, current + 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Escape':
        this.hide();
        return;
      default:
        return;
    }
    event.preventDefault();
    // Narrow rows hide their oldest bars (display: none); never move the tab stop onto one of those.
    const bars = [...list.children] as HTMLElement[];
    const firstShown = bars.findIndex((bar) => bar.getClientRects().length > 0);
    if (firstShown > 0 && next < firstShown) next = firstShown;
    this.focusIndex.set(next);
    bars[next]?.focus();
  }
}
