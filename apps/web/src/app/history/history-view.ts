import type { IncidentImpact, IncidentSummary, StatuspageScheduledMaintenance } from '@app/contracts';
import { formatMonth, monthKey } from '../shared/format';

/** One line of the history: an incident or a maintenance window. */
export interface HistoryEntry {
  readonly kind: 'incident' | 'maintenance';
  readonly id: string;
  readonly title: string;
  readonly impact: IncidentImpact | 'maintenance';
  readonly startedAt: string;
  /** null while it is still going on. */
  readonly endedAt: string | null;
}

export interface HistoryMonth {
  /** "2026-12", in the visitor's time zone. */
  readonly key: string;
  /** "December 2026". */
  readonly label: string;
  readonly entries: readonly HistoryEntry[];
}

export function incidentEntry(incident: IncidentSummary): HistoryEntry {
  return {
    kind: 'incident',
    id: incident.id,
    title: incident.title,
    impact: incident.impact,
    startedAt: incident.startedAt,
    endedAt: incident.resolvedAt,
  };
}

export function maintenanceEntry(window: StatuspageScheduledMaintenance): HistoryEntry {
  return {
    kind: 'maintenance',
    id: window.id,
    title: window.name,
    impact: 'maintenance',
    startedAt: window.scheduled_for,
    endedAt: window.status === 'completed' ? window.scheduled_until : null,
  };
}

/** The month before `key` ("2026-01" → "2025-12"). */
function previousMonth(key: string): string {
  const [year = 0, month = 1] = key.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * Statuspage-style history: entries newest first, grouped by the visitor's calendar month, every month from
 * `from` (the newest month of the page, e.g. this month on page 1) down to the oldest entry's, so a quiet month
 * reads "No incidents reported" instead of disappearing.
 */
export function historyMonths(entries: readonly HistoryEntry[], from: string | null): HistoryMonth[] {
  const sorted = [...entries].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const newest = from ?? (sorted[0] ? monthKey(sorted[0].startedAt) : null);
  if (newest === null) return [];
  const oldest = sorted.length > 0 ? monthKey(sorted[sorted.length - 1]!.startedAt) : newest;
  const months: HistoryMonth[] = [];
  for (let key = newest; key >= oldest && months.length < 240; key = previousMonth(key)) {
    const inMonth = sorted.filter((entry) => monthKey(entry.startedAt) === key);
    const [year, month] = key.split('-');
    months.push({ key, label: formatMonth(`${year}-${month}-15T12:00:00Z`), entries: inMonth });
  }
  return months;
}
