import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';

const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });

/** A JSON success answer whose body is the named contract schema (a list of them with `list`). */
export function Returns(status: 200 | 201, schema: string, description: string, list = false): MethodDecorator {
  return ApiResponse({ status, description, schema: list ? { type: 'array', items: ref(schema) } : ref(schema) });
}

/** 204: done, no body. */
export const NoContent = (description: string) => ApiResponse({ status: 204, description });

/**
 * A public document served from memory with an ETag: 200 with the body (JSON schema or another media type),
 * or 304 when If-None-Match names the current ETag (weak comparison).
 */
export function Cached(schema: string | { mediaType: string; description: string }, description: string) {
  const content =
    typeof schema === 'string'
      ? { 'application/json': { schema: ref(schema) } }
      : { [schema.mediaType]: { schema: { type: 'string', description: schema.description } } };
  return applyDecorators(
    ApiResponse({ status: 200, description, content, headers: { ETag: { schema: { type: 'string' } } } }),
    ApiResponse({ status: 304, description: 'Not modified: If-None-Match names the current ETag (W/ accepted)' }),
  );
}

/** An error answer this operation gives for its own reasons (the cross-cutting ones are added to every operation). */
export function Fails(status: 400 | 404 | 409 | 429 | 503, description: string, schema = 'ApiError'): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: ref(schema) } } });
}

/** The request body: a JSON document matching the named request schema (generated from its DTO). */
export const Takes = (schema: string) => ApiBody({ required: true, schema: ref(schema) });
