import type { AdminService, AuditEntry } from '@app/contracts';
import { type AuditRecord } from '@app/common';
import { toDefinition, type MonitorView, type MonitoredService } from '@app/monitoring';

export function toAdminService(service: MonitoredService, monitor: MonitorView): AdminService {
  return {
    ...toDefinition(service),
    source: service.source,
    state: service.paused ? 'unknown' : (monitor.find(service.id)?.state ?? 'unknown'),
  };
}

export function toAuditEntry(record: AuditRecord & { id: string }): AuditEntry {
  return { ...record, at: new Date(record.at).toISOString() };
}
