import type { IncidentImpact, IncidentStatus, IncidentSummary } from '@app/contracts';

export function incidentStatusLabel(status: IncidentStatus): string {
  switch (status) {
    case 'investigating':
      return 'Investigating';
    case 'identified':
      return 'Identified';
    case 'monitoring':
      return 'Monitoring';
    case 'resolved':
      return 'Resolved';
  }
}

export function impactLabel(impact: IncidentImpact): string {
  switch (impact) {
    case 'none':
      return 'No impact';
    case 'minor':
      return 'Minor impact';
    case 'major':
      return 'Major impact';
    case 'critical':
      return 'Critical impact';
  }
}

export interface IncidentDay {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  readonly incidents: readonly IncidentSummary[];
}

const DAY_MS = 86_400_000;

/**
 * Statuspage-style history: the last `days` UTC days newest first, each with the resolved incidents that started
 * that day (an empty day reads "No incidents reported").
 */
export function pastIncidentDays(items: readonly IncidentSummary[], now: number, days = 14): IncidentDay[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, index) => {
    const start = today - index * DAY_MS;
    const date = new Date(start).toISOString().slice(0, 10);
    const incidents = items
      .filter((incident) => incident.status === 'resolved')
      .filter((incident) => {
        const started = Date.parse(incident.startedAt);
        return started >= start && started < start + DAY_MS;
      })
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
    return { date, incidents };
  });
}
