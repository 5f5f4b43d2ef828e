import { renderValue } from '../shared/field-problems';

/** One field of an audited change; `before` is null for a field that was added, `after` for one removed. */
export interface FieldChange {
  readonly field: string;
  readonly before: string | null;
  readonly after: string | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A list that only grew (incident updates) reads better as what was added. */
function describeGrowth(before: unknown, after: unknown): string | null {
  if (!Array.isArray(before) || !Array.isArray(after) || after.length <= before.length) return null;
  if (!same(before, after.slice(0, before.length))) return null;
  return `+ ${after
    .slice(before.length)
    .map((item) => renderValue(item))
    .join(', ')}`;
}

/**
 * What an audited change did, field by field: every field of a created or deleted object, and only the changed
 * fields of an update (values rendered like the API's messages, cut at 80 characters).
 */
export function auditChanges(before: unknown, after: unknown): FieldChange[] {
  if (!isRecord(before) && !isRecord(after)) {
    return same(before, after) ? [] : [{ field: '(value)', before: renderValue(before), after: renderValue(after) }];
  }
  const from = isRecord(before) ? before : {};
  const to = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])];
  return fields
    .filter((field) => !same(from[field], to[field]))
    .map((field) => {
      const growth = describeGrowth(from[field], to[field]);
      const old = from[field];
      const count = Array.isArray(old) ? `${old.length} ${old.length === 1 ? 'item' : 'items'}` : '';
      return {
        field,
        before: !(field in from) ? null : growth === null ? renderValue(old) : count,
        after: !(field in to) ? null : (growth ?? renderValue(to[field])),
      };
    });
}

const VERBS: Record<string, string> = {
  create: 'created',
  replace: 'replaced',
  update: 'updated',
  edit: 'edited',
  delete: 'deleted',
};

/** "service.create" → "Service created"; unknown actions are shown as sent. */
export function actionLabel(action: string): string {
  const [type, verb] = action.split('.');
  if (type === undefined || verb === undefined || !(verb in VERBS)) return action;
  return `${type.charAt(0).toUpperCase()}${type.slice(1)} ${VERBS[verb]}`;
}
