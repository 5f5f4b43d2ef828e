import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from '@app/monitoring';

/**
 * The only body type the API accepts: JSON, parsed with errors that name the problem. `__proto__` and
 * `constructor.prototype` keys are refused outright (prototype pollution), with their path. Other content types
 * get Fastify's 415.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = typeof text === 'string' ? text : text.toString('utf8');
    if (body.trim() === '')
      return done(
        new InvalidInputError([{ path: '(body)', value: '', rule: 'must be a JSON object, not empty' }]),
        undefined,
      );
    try {
      done(null, JSON.parse(body, forbidPrototypeKeys) as unknown);
    } catch (error) {
      if (error instanceof InvalidInputError) return done(error, undefined);
      const reason = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 120) : 'parse error';
      done(
        new InvalidInputError([{ path: '(body)', value: body.slice(0, 40), rule: `is not valid JSON (${reason})` }]),
        undefined,
      );
    }
  });
}

function forbidPrototypeKeys(this: unknown, key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)
  ) {
    throw new InvalidInputError([{ path: key, value: '(object)', rule: 'is a forbidden field name' }]);
  }
  return value;
}
