import Fastify, { type FastifyServerOptions } from 'fastify';
import { MalformedBody, registerJsonBodyParser } from './json-body-parser.js';

/** A bare Fastify with our parser and one route that echoes what the parser produced (no Nest, no socket). */
async function echo(payload: string, options: FastifyServerOptions = {}, contentType = 'application/json') {
  const fastify = Fastify(options);
  registerJsonBodyParser(fastify);
  fastify.post('/', (request) =>
    request.body instanceof MalformedBody ? { malformed: request.body.errors } : { body: request.body ?? null },
  );
  const response = await fastify.inject({
    method: 'POST',
    url: '/',
    payload,
    headers: { 'content-type': contentType },
  });
  await fastify.close();
  return { status: response.statusCode, json: response.json<Record<string, unknown>>() };
}

describe('registerJsonBodyParser', () => {
  it('parses a JSON body', async () => {
    expect(await echo('{"id":"a","slo":{"target":99}}')).toEqual({
      status: 200,
      json: { body: { id: 'a', slo: { target: 99 } } },
    });
  });

  it('hands an empty body on as undefined, for the DTO to refuse as "(body) must be an object"', async () => {
    expect(await echo('  ')).toEqual({ status: 200, json: { body: null } });
  });

  it('turns invalid JSON into a MalformedBody for the pipe to refuse after the auth guard', async () => {
    const { json } = await echo('{"id":');
    expect(json.malformed).toEqual([
      { path: '(body)', value: '{"id":', rule: expect.stringMatching(/^is not valid JSON \(.+\)$/) as unknown },
    ]);
  });

  it.each([
    ['a byte-order mark', '\uFEFF{"id":"x"}', 'is not valid JSON (it starts with a byte-order mark)'],
    [
      'nesting deeper than 20 levels',
      `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      'is nested deeper than 20 levels',
    ],
  ])('refuses %s, which Fastify alone would accept or overflow on', async (_case, payload, rule) => {
    const { json } = await echo(payload);
    expect(json.malformed).toEqual([expect.objectContaining({ path: '(body)', rule })]);
  });

  it('takes nesting up to 20 levels and brackets inside strings', async () => {
    const payload = `${'['.repeat(20)}"[[[{{{"${']'.repeat(20)}`;
    expect((await echo(payload)).json.body).toBeDefined();
    expect((await echo(payload)).json.malformed).toBeUndefined();
  });

  it.each([
    ['__proto__', '{"a":1,"__proto__":{"x":1}}'],
    ['__proto__ written with an escape', '{"a":1,"\\u005f_proto__":{"x":1}}'],
    ['slo.__proto__', '{"slo":{"target":99,"__proto__":1}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"x":1}}}'],
  ])('refuses a forbidden %s key by default, naming its path', async (path, payload) => {
    const { json } = await echo(payload);
    expect(json.malformed).toEqual([
      { path: path.replace(' written with an escape', ''), value: '(object)', rule: 'is a forbidden field name' },
    ]);
  });

  // Was a bug: the parser replaced Fastify's own and rejected these keys itself, so the server's
  // onProtoPoisoning / onConstructorPoisoning settings had no effect.
  it("follows Fastify's onProtoPoisoning and onConstructorPoisoning settings", async () => {
    const payload = '{"a":1,"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}';
    expect(await echo(payload, { onProtoPoisoning: 'remove', onConstructorPoisoning: 'remove' })).toEqual({
      status: 200,
      json: { body: { a: 1 } },
    });
  });

  it('accepts no other content type (415)', async () => {
    expect((await echo('hello', {}, 'text/plain')).status).toBe(415);
  });
});
