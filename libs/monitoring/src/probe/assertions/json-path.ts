/**
 * The JSONPath subset JSON assertions use: a root `$` followed by member and index steps, nothing that searches
 * or filters, so finding a value costs one step per segment whatever the document.
 *
 *   $                       the whole document
 *   $.status                member (letters, digits, "_" and "-", not starting with a digit or "-")
 *   $['odd key'] $["a.b"]   member with any other name (\' \" and \\ escape inside the quotes)
 *   $.items[0] $.items[-1]  array index, negative from the end
 *
 * At most 200 characters and 32 steps.
 */
export type JsonPathSegment = string | number;

export const JSON_PATH_LIMITS = { maxLength: 200, maxSegments: 32 } as const;

export const JSON_PATH_RULE =
  'must be a JSONPath such as $.status, $.items[0].name or $["odd key"] (members and indexes only, at most 200 characters and 32 steps)';

/** The steps of a path, or null when it is not in the subset. */
export function parseJsonPath(path: string): JsonPathSegment[] | null {
  if (path.length > JSON_PATH_LIMITS.maxLength || !path.startsWith('$')) return null;
  const segments: JsonPathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    if (segments.length >= JSON_PATH_LIMITS.maxSegments) return null;
    const char = path[at];
    if (char === '.') {
      const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(path.slice(at + 1))?.[0];
      if (name === undefined) return null;
      segments.push(name);
      at += 1 + name.length;
    } else if (char === '[') {
      const index = /^\[(-?\d{1,9})\]/.exec(path.slice(at));
      if (index) {
        segments.push(Number(index[1]));
        at += index[0].length;
        continue;
      }
      const quote = path[at + 1];
      if (quote !== '"' && quote !== "'") return null;
      let name = '';
      let cursor = at + 2;
      for (; cursor < path.length && path[cursor] !== quote; cursor += 1) {
        if (path[cursor] === '\\') {
          const next = path[cursor + 1];
          if (next !== quote && next !== '\\') return null;
          cursor += 1;
        }
        name += path[cursor];
      }
      if (path[cursor] !== quote || path[cursor + 1] !== ']') return null;
      segments.push(name);
      at = cursor + 2;
    } else {
      return null;
    }
  }
  return segments;
}

/** The value at the path, or `{ found: false }` when a step is missing (an absent member, an index out of range). */
export function selectJsonPath(
  document: unknown,
  segments: readonly JsonPathSegment[],
): { found: boolean; value?: unknown } {
  let current: unknown = document;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return { found: false };
      const index = segment < 0 ? current.length + segment : segment;
      if (index < 0 || index >= current.length) return { found: false };
      current = current[index] as unknown;
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return { found: false };
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return { found: false };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}
