import { RedactedValue, redactSecrets } from './secrets.js';

/** One problem with user input: where, what was there, and the rule it broke. */
export interface FieldError {
  path: string;
  value: unknown;
  rule: string;
}

/**
 * `services[0].interval: "0s" must be a duration ...` — the one error line format users see everywhere. A missing
 * value is left out (`url: is required`): "(missing) must be …" read as if something had been given.
 */
export function formatFieldError(error: FieldError): string {
  if (error.value === undefined) return redactSecrets(`${error.path}: ${error.rule}`);
  return redactSecrets(`${error.path}: ${renderValue(error.value)} ${error.rule}`);
}

/**
 * A value as an error message shows it: JSON, at most 80 characters, "(missing)" for undefined, a secret as its
 * length only.
 */
export function renderValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (value instanceof RedactedValue) return value.toJSON();
  let text: string;
  try {
    // JSON.stringify gives undefined for functions and symbols, and throws on cycles and BigInt.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = `(${typeof value})`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `parent.property`, or `parent[3]` for an array index. */
export function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}
