import type { AuditEntry, Page } from '@app/contracts';

/** One admin change as the domain records it: the public AuditEntry before it has an id, with an epoch-ms time. */
export type AuditRecord = Omit<AuditEntry, 'id' | 'at'> & { at: number };

/** Port: append-only log of admin changes, listed newest first. */
export abstract class AuditLog {
  abstract record(entry: AuditRecord): Promise<void>;
  abstract list(limit: number, cursor: string | null): Promise<Page<AuditRecord & { id: string }>>;
}

/**
 * Records an admin change after it happened. A failed audit write is logged (naming the action and target) and
 * never undoes or fails the change it describes.
 */
export async function recordChange(log: AuditLog, logger: { error(message: string): void }, entry: AuditRecord) {
  await log
    .record(entry)
    .catch((error: unknown) =>
      logger.error(`audit write failed for ${entry.action} ${JSON.stringify(entry.targetId)}: ${String(error)}`),
    );
}
