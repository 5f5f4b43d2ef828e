import type { HeaderAssertion, JsonOperator } from '@app/contracts';
import { selectJsonPath, type JsonPathSegment } from './json-path.js';
import type { RegexRunner } from './regex-runner.js';

/** A JSON assertion with its path parsed at validation time. */
export interface JsonCheck {
  path: string;
  segments: JsonPathSegment[];
  operator: JsonOperator;
  value?: string | number | boolean;
}

/** The assertions of an HTTP check, normalised (empty lists when none). */
export interface ResponseAssertions {
  contains: string[];
  notContains: string[];
  matches: string[];
  json: JsonCheck[];
  headers: HeaderAssertion[];
}

export const NO_ASSERTIONS: ResponseAssertions = { contains: [], notContains: [], matches: [], json: [], headers: [] };

export function hasAssertions(assertions: ResponseAssertions): boolean {
  return (
    assertions.contains.length +
      assertions.notContains.length +
      assertions.matches.length +
      assertions.json.length +
      assertions.headers.length >
    0
  );
}

/** Whether the body must be kept (the probe then holds up to the body cap in memory, else it only counts bytes). */
export function needsBody(assertions: ResponseAssertions): boolean {
  return (
    assertions.contains.length + assertions.notContains.length + assertions.matches.length + assertions.json.length > 0
  );
}

/** A value as a failure reason shows it: JSON, cut to `max` characters — never a whole body. */
export function shown(value: unknown, max = 60): string {
  if (value === undefined) return '(absent)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = `(${typeof value})`;
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** "assertion contains "UP" failed: body starts "<!DOCTYPE html>…"" — the assertion and what was seen. */
function failed(assertion: string, seen: string): string {
  return `assertion ${assertion} failed: ${seen}`;
}

/** The text around position `at` (for notContains: where the forbidden text was found). */
function around(body: string, at: number, length: number): string {
  const start = Math.max(0, at - 20);
  return body.slice(start, at + length + 20);
}

function compare(operator: JsonOperator, actual: unknown, expected: string | number | boolean | undefined): boolean {
  switch (operator) {
    case 'exists':
      return true;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (operator === '<') return actual < expected;
      if (operator === '<=') return actual <= expected;
      if (operator === '>') return actual > expected;
      return actual >= expected;
    }
    default: {
      const unreachable: never = operator;
      return unreachable;
    }
  }
}

function headerHolds(assertion: HeaderAssertion, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const expected = assertion.value ?? '';
  switch (assertion.operator) {
    case 'exists':
      return true;
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'contains':
      return actual.includes(expected);
    case 'notContains':
      return !actual.includes(expected);
    default: {
      const unreachable: never = assertion.operator;
      return unreachable;
    }
  }
}

export interface AssertionContext {
  /** Response headers, names in lower case, repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The body as read (up to the byte cap), UTF-8 decoded; null when no body assertion needs it. */
  body: string | null;
  regex: RegexRunner;
  /** Milliseconds left before the probe's deadline. */
  remainingMs: () => number;
}

/** The first assertion that does not hold, worded as a failure reason; null when all hold. */
export async function firstFailedAssertion(
  assertions: ResponseAssertions,
  context: AssertionContext,
): Promise<string | null> {
  for (const assertion of assertions.headers) {
    const name = assertion.name.toLowerCase();
    const actual = context.headers[name];
    if (!headerHolds(assertion, actual)) {
      const what = `header ${assertion.name} ${assertion.operator}${assertion.value === undefined ? '' : ` ${shown(assertion.value)}`}`;
      return failed(what, actual === undefined ? 'no such header' : `saw ${shown(actual)}`);
    }
  }
  const body = context.body ?? '';
  for (const text of assertions.contains) {
    if (!body.includes(text)) return failed(`contains ${shown(text)}`, `body starts ${shown(body.slice(0, 80))}`);
  }
  for (const text of assertions.notContains) {
    const at = body.indexOf(text);
    if (at >= 0) return failed(`notContains ${shown(text)}`, `found in ${shown(around(body, at, text.length))}`);
  }
  if (assertions.json.length > 0) {
    let document: unknown;
    try {
      document = JSON.parse(body) as unknown;
    } catch {
      return failed(`json ${assertions.json[0]!.path}`, `body is not JSON, starts ${shown(body.slice(0, 80))}`);
    }
    for (const check of assertions.json) {
      const { found, value } = selectJsonPath(document, check.segments);
      const what = `json ${check.path} ${check.operator}${check.value === undefined ? '' : ` ${shown(check.value)}`}`;
      if (!found) return failed(what, 'no value at that path');
      if (!compare(check.operator, value, check.value)) return failed(what, `saw ${shown(value)}`);
    }
  }
  for (const pattern of assertions.matches) {
    const remaining = context.remainingMs();
    const budget = Math.min(REGEX_BUDGET_MS, remaining);
    // The probe's deadline also bounds the wait for the (shared) regex worker.
    const outcome = await context.regex.test(pattern, body, budget, performance.now() + remaining);
    if (outcome === 'timeout')
      return failed(`matches ${shown(pattern)}`, `gave up after ${Math.max(0, Math.round(budget))}ms`);
    if (outcome === 'deadline') return failed(`matches ${shown(pattern)}`, `no time left before the check's deadline`);
    if (outcome === 'no-match') return failed(`matches ${shown(pattern)}`, `body starts ${shown(body.slice(0, 80))}`);
  }
  return null;
}

/** Longest one `matches` assertion may run (and so hold the regex worker) per check. */
export const REGEX_BUDGET_MS = 250;
