import type { AdminService, ServiceState, ServiceStatus } from '@app/contracts';
import { formatAgo, formatLatency } from '../../shared/format';

export type StateFilter = 'all' | ServiceState | 'paused';

export interface ServiceFilter {
  /** null: every group; '': services without a group. */
  readonly group: string | null;
  readonly state: StateFilter;
  /** Part of the name or id, any case; '' matches all. */
  readonly text?: string;
}

export interface ServiceRow {
  readonly service: AdminService;
  /** Live state: the admin API's, except that a maintenance window (known only to the public snapshot) wins. */
  readonly state: ServiceState;
  readonly lastCheck: string;
  /** The last check failed: its reason is shown in the state's colour. */
  readonly failing: boolean;
}

/** "HTTP 200 · 12 ms · 4 s ago", "HTTP 503 · 2 s ago", "Waiting for first check", "Paused" (admin API's lastCheck). */
export function lastCheckText(service: AdminService, now: number): string {
  if (service.paused) return 'Paused: not checked';
  const check = service.lastCheck;
  if (check === null) return 'Waiting for first check';
  const ago = formatAgo(Math.max(0, Math.round((now - Date.parse(check.at)) / 1000)));
  if (!check.ok) return `${check.error ?? (check.statusCode ? `HTTP ${check.statusCode}` : 'failed')} · ${ago}`;
  return `${check.statusCode ? `HTTP ${check.statusCode} · ` : ''}${formatLatency(check.latencyMs)} · ${ago}`;
}

/** Rows of the admin services; `statuses` (the public snapshot) only adds maintenance, which the admin API lacks. */
export function buildRows(
  services: readonly AdminService[],
  statuses: readonly ServiceStatus[],
  now: number,
): ServiceRow[] {
  const byId = new Map(statuses.map((status) => [status.id, status]));
  return services.map((service) => {
    const status = byId.get(service.id) ?? null;
    return {
      service,
      state: status?.state === 'maintenance' && !service.paused ? 'maintenance' : service.state,
      lastCheck: lastCheckText(service, now),
      failing: !service.paused && service.lastCheck?.ok === false,
    };
  });
}

export function filterRows(rows: readonly ServiceRow[], filter: ServiceFilter): ServiceRow[] {
  const text = (filter.text ?? '').trim().toLowerCase();
  return rows.filter((row) => {
    if (filter.group !== null && (row.service.group ?? '') !== filter.group) return false;
    if (text !== '' && !`${row.service.name}\n${row.service.id}`.toLowerCase().includes(text)) return false;
    switch (filter.state) {
      case 'all':
        return true;
      case 'paused':
        return row.service.paused;
      default:
        return !row.service.paused && row.state === filter.state;
    }
  });
}

/** Group names for the filter, sorted; '' stands for "no group" and comes last when present. */
export function groupsOf(services: readonly AdminService[]): string[] {
  const named = [...new Set(services.map((service) => service.group).filter((group) => group !== null))].sort();
  return services.some((service) => service.group === null) ? [...named, ''] : named;
}
