import type { AdminService, AuditEntry, LastCheck } from '@app/contracts';
import { type AuditRecord } from '@app/common';
import {
  defaultedFields,
  definitionInput,
  toDefinition,
  type MonitorView,
  type MonitoredService,
} from '@app/monitoring';

/** `lastCheck`: the service's last check as the status snapshot has it (null before the first, or not yet built). */
export function toAdminService(
  service: MonitoredService,
  monitor: MonitorView,
  lastCheck: LastCheck | null = null,
): AdminService {
  const view = monitor.find(service.id);
  return {
    ...toDefinition(service),
    source: service.source,
    state: service.paused ? 'unknown' : (view?.state ?? 'unknown'),
    defaulted: defaultedFields(definitionInput(service)),
    misconfigured: view?.misconfigured ?? null,
    lastCheck,
  };
}

export function toAuditEntry(record: AuditRecord & { id: string }): AuditEntry {
  return { ...record, at: new Date(record.at).toISOString() };
}
