import type { AdminService, AuditEntry } from '@app/contracts';
import { type AuditRecord } from '@app/common';
import { toDefinition, type MonitorService, type MonitoredService } from '@app/monitoring';

export function toAdminService(service: MonitoredService, monitor: MonitorService): AdminService {
  const runtime = monitor.get(service.id);
  return {
    ...toDefinition(service),
    source: service.source,
    state: service.paused ? 'unknown' : (runtime?.evaluation.state ?? 'unknown'),
  };
}

export function toAuditEntry(record: AuditRecord & { id: string }): AuditEntry {
  return { ...record, at: new Date(record.at).toISOString() };
}
