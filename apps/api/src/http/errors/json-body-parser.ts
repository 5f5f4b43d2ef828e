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
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    const refused = refuseBeforeParsing(text);
    if (refused) return done(null, new MalformedBody([refused]));
    // The default parser is the callback form (the promise form takes two arguments).
    (parseJson as (req: unknown, body: string, cb: (error: Error | null, value?: unknown) => void) => void)(
      request,
      text,
      (error, value) => done(null, error ? new MalformedBody([explainRefusal(text)]) : value),
    );
  });
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
