import type { FieldProblem } from '../api/admin-api';

/** A value as the API's messages render it: JSON, cut at 80 characters, "(missing)" for undefined. */
export function renderValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = `(${typeof value})`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `"0s" must be a duration ...`: the value and the rule, for display next to the field that is named by its label. */
export function describeProblem(problem: FieldProblem): string {
  return `${renderValue(problem.value)} ${problem.rule}`;
}

/** Field errors grouped by the form field that shows them; problems no field owns go to `other`. */
export interface MappedProblems {
  readonly byField: Readonly<Record<string, readonly string[]>>;
  readonly other: readonly FieldProblem[];
}

/**
 * Puts each API problem next to the field that caused it. A problem's path is matched to the field with the same
 * path, to the field it is inside of (`expectedStatus[2]` → `expectedStatus`), or — for an object the form splits
 * into several inputs (`slo` → `slo.target`, `slo.window`) — to the first of them.
 */
export function mapProblems(problems: readonly FieldProblem[], fields: readonly string[]): MappedProblems {
  const byField: Record<string, string[]> = {};
  const other: FieldProblem[] = [];
  for (const problem of problems) {
    const field =
      fields.find((candidate) => candidate === problem.path) ??
      fields
        .filter((candidate) => problem.path.startsWith(`${candidate}.`) || problem.path.startsWith(`${candidate}[`))
        .sort((a, b) => b.length - a.length)[0] ??
      fields.find((candidate) => candidate.startsWith(`${problem.path}.`));
    if (field === undefined) other.push(problem);
    else (byField[field] ??= []).push(describeProblem(problem));
  }
  return { byField, other };
}
