import type { AdminService, AuditEntry } from '@app/contracts';
import { type AuditRecord } from '@app/common';
import {
  defaultedFields,
  definitionInput,
  toDefinition,
  type MonitorView,
  type MonitoredService,
} from '@app/monitoring';

export function toAdminService(service: MonitoredService, monitor: MonitorView): AdminService {
  const view = monitor.find(service.id);
  return {
    ...toDefinition(service),
    source: service.source,
    state: service.paused ? 'unknown' : (view?.state ?? 'unknown'),
    defaulted: defaultedFields(definitionInput(service)),
    misconfigured: view?.misconfigured ?? null,
  };
}

export function toAuditEntry(record: AuditRecord & { id: string }): AuditEntry {
  return { ...record, at: new Date(record.at).toISOString() };
}
