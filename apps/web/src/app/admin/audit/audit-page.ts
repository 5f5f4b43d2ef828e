import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { AuditEntry } from '@app/contracts';
import { formatTime } from '../../shared/format';
import { AdminApi } from '../api/admin-api';
import { formatUtc } from '../shared/local-time';
import { describeError } from '../shared/describe-error';
import { AdminSession } from '../session/admin-session';
import { actionLabel, auditChanges } from './audit-diff';

const PAGE = 20;
const SHOWN_CHANGES = 6;

/** Admin changes newest first, a page at a time with the API's cursor: who, what, when, before/after. */
@Component({
  selector: 'app-audit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './audit-page.html',
  styleUrls: ['./audit-page.css', '../shared/table.css'],
})
export class AuditPage {
  private readonly api = inject(AdminApi);
  protected readonly fingerprint = inject(AdminSession).fingerprint;

  private readonly entries = signal<AuditEntry[] | null>(null);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  protected readonly rows = computed(() =>
    (this.entries() ?? []).map((entry) => {
      const changes = auditChanges(entry.before, entry.after);
      return {
        entry,
        action: actionLabel(entry.action),
        when: formatTime(entry.at),
        utc: formatUtc(entry.at),
        changes: changes.slice(0, SHOWN_CHANGES),
        more: Math.max(0, changes.length - SHOWN_CHANGES),
        before: entry.before === null ? null : JSON.stringify(entry.before, null, 2),
        after: entry.after === null ? null : JSON.stringify(entry.after, null, 2),
      };
    }),
  );
  protected readonly loaded = computed(() => this.entries() !== null);

  constructor() {
    void this.load(null);
  }

  protected refresh(): Promise<void> {
    return this.load(null);
  }

  protected loadOlder(): Promise<void> {
    return this.load(this.nextCursor());
  }

  private async load(cursor: string | null): Promise<void> {
    if (this.loading()) return;
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await this.api.audit(PAGE, cursor);
      this.entries.update((entries) => (cursor === null ? page.items : [...(entries ?? []), ...page.items]));
      this.nextCursor.set(page.nextCursor);
    } catch (error) {
      this.error.set(describeError(error));
    } finally {
      this.loading.set(false);
    }
  }
}
