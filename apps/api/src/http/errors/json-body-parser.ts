import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { InvalidInputError, type FieldError } from '@app/monitoring';

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
 * The only body type the API accepts: JSON, parsed with errors that name the problem. `__proto__` and
 * `constructor.prototype` keys are refused (prototype pollution), with their path. Other content types get 415.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = typeof text === 'string' ? text : text.toString('utf8');
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body, forbidPrototypeKeys) as unknown);
    } catch (error) {
      if (error instanceof MalformedBody) return done(null, error);
      const reason = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 120) : 'parse error';
      done(
        null,
        new MalformedBody([{ path: '(body)', value: body.slice(0, 40), rule: `is not valid JSON (${reason})` }]),
      );
    }
  });
}

function forbidPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)
  ) {
    throw new MalformedBody([{ path: key, value: '(object)', rule: 'is a forbidden field name' }]);
  }
  return value;
}

/** Global pipe: a body that failed to parse becomes a 400 naming the problem (after authentication). */
export class RejectMalformedBody implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' && value instanceof MalformedBody) throw new InvalidInputError(value.errors);
    return value;
  }
}
