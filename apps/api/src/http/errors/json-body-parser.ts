import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { InvalidInputError, type FieldError } from '@app/common';

/**
 * A body that failed to parse. The parser does not reject it on the spot: that would answer 400 before the auth
 * guard runs, telling an unauthenticated caller about the body. RejectMalformedBody (a pipe, so after guards)
 * turns it into the 400.
 */
export class MalformedBody extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.path}: ${error.rule}`).join('; '));
  }
}

/**
 * The only body type the API accepts: JSON, parsed by Fastify's own secure parser so the server's
 * `onProtoPoisoning` / `onConstructorPoisoning` settings decide what happens to `__proto__` and
 * `constructor.prototype` keys (we run with "error"). Other content types get 415. A body the parser refuses is
 * passed on as a MalformedBody that names the problem.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    const unsupported = unsupportedEncoding(request.headers);
    if (unsupported) return done(unsupported);
    let text: string;
    try {
      text = UTF8.decode(typeof raw === 'string' ? Buffer.from(raw) : raw);
    } catch {
      const at = firstInvalidUtf8(raw as Buffer);
      return done(null, new MalformedBody([{ path: '(body)', value: `(byte ${at})`, rule: 'is not valid UTF-8' }]));
    }
    if (text.trim() === '') return done(null, undefined);
    const refused = refuseBeforeParsing(text);
    if (refused) return done(null, new MalformedBody([refused]));
    // The default parser is the callback form (the promise form takes two arguments).
    (parseJson as (req: unknown, body: string, cb: (error: Error | null, value?: unknown) => void) => void)(
      request,
      text,
      (error, value) => {
        if (error) return done(null, new MalformedBody([explainRefusal(text)]));
        const duplicate = duplicateKey(text);
        done(null, duplicate ? new MalformedBody([duplicate]) : value);
      },
    );
  });
}

/** Strict decoding: invalid bytes throw instead of turning into U+FFFD; a byte-order mark is kept (and refused). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Offset of the first byte that breaks UTF-8, for the error message. */
function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix: decoding is monotonic in the prefix length (up to a split character at the end).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

/** A request the API cannot read as UTF-8 JSON: 415 naming the header (the charset or Content-Encoding). */
export class UnsupportedMediaType extends Error {
  readonly statusCode = 415;
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.path}: ${error.rule}`).join('; '));
  }
}

/**
 * JSON is UTF-8 (RFC 8259 §8.1): a body labelled with another charset would be misread, and a compressed one
 * (any Content-Encoding) is not decoded here — both are refused rather than guessed at.
 */
function unsupportedEncoding(headers: Record<string, string | string[] | undefined>): UnsupportedMediaType | null {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') {
    return new UnsupportedMediaType([
      { path: 'content-encoding', value: String(encoding), rule: 'is not supported: send the body uncompressed' },
    ]);
  }
  const contentType = String(headers['content-type'] ?? '');
  const charset = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType)?.[2];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return new UnsupportedMediaType([
      { path: 'content-type', value: contentType.slice(0, 100), rule: 'charset must be utf-8 (JSON is UTF-8)' },
    ]);
  }
  return null;
}

/**
 * The first key that appears twice in one object, which JSON.parse resolves silently (last wins). Keys are
 * compared after unescaping ("n\\u0061me" is "name"). Runs on text the parser already accepted.
 */
function duplicateKey(text: string): FieldError | null {
  const stack: { keys: Set<string> | null; path: string; index: number }[] = [];
  let expectKey = false;
  let pendingKey: string | null = null;
  const pathOf = (frame: (typeof stack)[number], key: string) => (frame.path === '' ? key : `${frame.path}.${key}`);
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key))
          return { path: pathOf(top, key), value: key, rule: 'appears more than once in one object' };
        top.keys.add(key);
        pendingKey = key;
        expectKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      const top = stack.at(-1);
      const path = top === undefined ? '' : top.keys ? pathOf(top, pendingKey ?? '') : `${top.path}[${top.index}]`;
      stack.push({ keys: char === '{' ? new Set() : null, path, index: 0 });
      expectKey = char === '{';
    } else if (char === '}' || char === ']') {
      stack.pop();
      expectKey = false;
    } else if (char === ',') {
      const top = stack.at(-1);
      if (top?.keys) expectKey = true;
      else if (top) top.index += 1;
    }
  }
  return null;
}

/** Deeper than any request body of this API; deeper documents are refused before anything walks them. */
const MAX_NESTING = 20;

/**
 * What the API refuses although Fastify's parser would take it: a byte-order mark (RFC 8259 lets a parser refuse
 * it, and this API always has) and nesting deeper than MAX_NESTING (recursive walkers such as class-transformer
 * would exhaust the stack). Counted on the text, outside strings, without parsing.
 */
function refuseBeforeParsing(text: string): FieldError | null {
  if (text.charCodeAt(0) === 0xfeff)
    return { path: '(body)', value: '(BOM)', rule: 'is not valid JSON (it starts with a byte-order mark)' };
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > MAX_NESTING)
        return { path: '(body)', value: '(object)', rule: `is nested deeper than ${MAX_NESTING} levels` };
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return null;
}

/** Why Fastify refused a body (it says only "not valid JSON"): a syntax error, or a forbidden key and its path. */
function explainRefusal(text: string): FieldError {
  let plain: unknown;
  try {
    plain = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 120) : 'parse error';
    return { path: '(body)', value: text.slice(0, 40), rule: `is not valid JSON (${reason})` };
  }
  return { path: forbiddenKeyPath(plain, '') ?? '(body)', value: '(object)', rule: 'is a forbidden field name' };
}

function forbiddenKeyPath(node: unknown, parent: string): string | null {
  if (node === null || typeof node !== 'object') return null;
  for (const [key, value] of Object.entries(node)) {
    const path = Array.isArray(node) ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`;
    if (key === '__proto__') return path;
    if (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)
      return `${path}.prototype`;
    const nested = forbiddenKeyPath(value, path);
    if (nested !== null) return nested;
  }
  return null;
}

/** Global pipe: a body that failed to parse becomes a 400 naming the problem (after authentication). */
export class RejectMalformedBody implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value instanceof MalformedBody) throw new InvalidInputError(value.errors);
    return value;
  }
}
