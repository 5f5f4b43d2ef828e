import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { AppLink } from '../../core/navigation/app-link';
import {
  SERVICE_DEFAULTS,
  type IncidentSummary,
  type ServiceHistory,
  type ServiceStatus,
  type StatusDefaults,
} from '@app/contracts';
import { failureText, formatLatency, formatPercent } from '../../shared/format';
import { StateBadge } from '../../shared/state-badge';
import { LatencySparkline } from '../latency-sparkline/latency-sparkline';
import { UptimeBars } from '../uptime-bars/uptime-bars';

/** "87% left", "exhausted" or "—"; the budget can go negative when the SLO is missed. */
export function formatBudget(remaining: number | null): string {
  if (remaining === null || !Number.isFinite(remaining)) return '—';
  if (remaining <= 0) return 'exhausted';
  return `${Math.min(100, Math.round(remaining))}% left`;
}

@Component({
  selector: 'app-service-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink, StateBadge, UptimeBars, LatencySparkline],
  host: { '[attr.data-service-id]': 'service().id', '[attr.data-state]': 'service().state' },
  templateUrl: './service-card.html',
  styleUrl: './service-card.css',
})
export class ServiceCard {
  readonly service = input.required<ServiceStatus>();
  /** History of this service, `null` while it loads. */
  readonly history = input<ServiceHistory | null>(null);
  readonly days = input<readonly string[]>([]);
  readonly incidents = input<readonly IncidentSummary[]>([]);
  /** What the service's absent fields stand for: the status document's `defaults`. */
  readonly defaults = input<StatusDefaults>({ slo: SERVICE_DEFAULTS.slo });

  /** The last check: its latency, or — failed — why, in words with the code ("Connection refused (ECONNREFUSED)"). */
  protected readonly latency = computed(() => {
    const check = this.service().lastCheck;
    if (check === null) return '—';
    return check.ok ? formatLatency(check.latencyMs) : failureText(check);
  });
  protected readonly uptime = computed(() => formatPercent(this.service().uptime['30d']));
  protected readonly slo = computed(() => {
    const { target, window } = this.service().slo ?? this.defaults().slo;
    return `${formatPercent(target, 3).replace(/\.?0+%$/, '%')} / ${window}`;
  });
  protected readonly budget = computed(() => formatBudget(this.service().errorBudgetRemaining));
  protected readonly budgetLow = computed(() => {
    const remaining = this.service().errorBudgetRemaining;
    return remaining !== null && remaining < 25;
  });
  protected readonly bars = computed(() => {
    const history = this.history();
    const days = this.days();
    if (history === null || days.length === 0) return [];
    return days.map((date, index) => ({ date, uptime: history.bars[index] ?? null }));
  });
  protected readonly latencies = computed(() => this.history()?.latency ?? []);
}
