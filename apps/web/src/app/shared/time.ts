import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { Clock } from '../core/polling/clock';
import { formatAgo, formatDuration, formatTime, formatUtc } from './format';

/** An instant in the visitor's time zone; hover (or a screen reader's title) gives it in UTC. */
@Component({
  selector: 'app-time',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<time [attr.datetime]="at()" [attr.title]="utc()">{{ local() }}</time>`,
})
export class TimeView {
  readonly at = input.required<string>();
  readonly seconds = input(false);
  protected readonly local = computed(() => formatTime(this.at(), this.seconds()));
  protected readonly utc = computed(() => formatUtc(this.at()));
}

/** "12 s ago", ticking once a second while the tab is visible; UTC on hover. */
@Component({
  selector: 'app-ago',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<time [attr.datetime]="at()" [attr.title]="utc()">{{ ago() }}</time>`,
})
export class AgoView {
  private readonly clock = inject(Clock);
  readonly at = input.required<string>();
  protected readonly ago = computed(() =>
    formatAgo(Math.max(0, Math.round((this.clock.now() - Date.parse(this.at())) / 1000))),
  );
  protected readonly utc = computed(() => formatUtc(this.at()));
}

/** How long from `from` to `to`, or to now — ticking — while `to` is null (a running incident). */
@Component({
  selector: 'app-duration',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `{{ text() }}`,
})
export class DurationView {
  private readonly clock = inject(Clock);
  readonly from = input.required<string>();
  readonly to = input<string | null>(null);
  protected readonly text = computed(() => {
    const end = this.to();
    const until = end === null ? this.clock.now() : Date.parse(end);
    return formatDuration(until - Date.parse(this.from()));
  });
}
