import type { IncidentSummary } from '@app/contracts';
import { formatDay, formatPercent } from '../../shared/format';

/** Colour bucket of one day's bar. */
export type BarLevel = 'none' | 'ok' | 'minor' | 'major' | 'critical';

/** ≥ 99.9 % green, ≥ 99 % yellow, ≥ 95 % orange, below red; a day without checks is grey. */
export function barLevel(uptime: number | null | undefined): BarLevel {
  if (uptime === null || uptime === undefined || !Number.isFinite(uptime)) return 'none';
  if (uptime >= 99.9) return 'ok';
  if (uptime >= 99) return 'minor';
  if (uptime >= 95) return 'major';
  return 'critical';
}

export interface BarView {
  readonly date: string;
  readonly uptime: number | null;
  readonly level: BarLevel;
  readonly incidents: readonly string[];
  /** Extra line for the tooltip, e.g. "1,440 checks, 3 failed". */
  readonly detail: string | null;
  /** Everything the tooltip says, as one sentence for assistive technology. */
  readonly label: string;
}

export interface BarInput {
  readonly date: string;
  readonly uptime: number | null;
  readonly detail?: string | null;
}

const DAY_MS = 86_400_000;

/** Titles of the incidents touching `serviceId` on the UTC day `date`. */
export function incidentsOnDay(incidents: readonly IncidentSummary[], serviceId: string, date: string): string[] {
  const start = Date.parse(`${date}T00:00:00Z`);
  const end = start + DAY_MS;
  return incidents
    .filter((incident) => incident.serviceIds.includes(serviceId))
    .filter((incident) => {
      const from = Date.parse(incident.startedAt);
      const to = incident.resolvedAt === null ? Number.POSITIVE_INFINITY : Date.parse(incident.resolvedAt);
      return from < end && to >= start;
    })
    .map((incident) => incident.title);
}

export function buildBars(
  days: readonly BarInput[],
  serviceId: string,
  incidents: readonly IncidentSummary[],
): BarView[] {
  return days.map(({ date, uptime, detail = null }) => {
    const titles = incidentsOnDay(incidents, serviceId, date);
    const uptimeText = uptime === null ? 'no data' : `${formatPercent(uptime)} uptime`;
    const incidentText =
      titles.length === 0
        ? 'no incidents'
        : `${titles.length} incident${titles.length > 1 ? 's' : ''}: ${titles.join('; ')}`;
    return {
      date,
      uptime,
      level: barLevel(uptime),
      incidents: titles,
      detail,
      label: `${formatDay(date)}: ${uptimeText}, ${incidentText}${detail === null ? '' : `, ${detail}`}`,
    };
  });
}

/** Placeholder days (oldest first, ending today UTC) so the row keeps its size before history arrives. */
export function lastDays(count: number, now = Date.now()): string[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: count }, (_, index) =>
    new Date(today - (count - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}
