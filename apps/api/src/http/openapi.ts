import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { CONTRACT_SCHEMAS } from './openapi/contract-schemas.generated.js';
import { REQUEST_DTOS, requestSchemas } from './openapi/request-schemas.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const ERROR = { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } };

/**
 * What every operation can answer because of where it sits, not what it does — the guard, the body parser and
 * the router answer these for every route alike, so they are added here once instead of per controller.
 */
function crossCuttingErrors(operation: OperationObject): Record<number, string> {
  const errors: Record<number, string> = {};
  // Node's HTTP server itself (no body): see HTTP_REQUEST_TIMEOUT / HTTP_HEADERS_TIMEOUT in README.
  errors[408] = 'The request did not arrive within HTTP_REQUEST_TIMEOUT / HTTP_HEADERS_TIMEOUT (no body)';
  errors[431] = 'The request headers are larger than 16 KiB (no body)';
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  if (parameters.some((parameter) => parameter.in === 'path')) {
    errors[400] = 'The URL path is malformed (bad percent-encoding)';
    errors[404] = 'No such id';
    errors[414] = 'A path segment is longer than 100 characters';
  }
  if (parameters.some((parameter) => parameter.in === 'query'))
    errors[400] = 'A query parameter is invalid: `details` names it, its value and the rule';
  if (operation.requestBody) {
    errors[400] = 'Invalid body: `details` lists each field path, value and rule';
    errors[413] = 'The body is larger than 64 KiB';
    errors[415] = 'Not application/json in UTF-8, or a Content-Encoding was sent';
  }
  if (operation.security?.length) {
    errors[400] ??= 'Authorization was sent more than once';
    errors[401] = 'Missing or wrong bearer token';
    errors[429] = 'Too many failed authentication attempts from this address (Retry-After says when to retry)';
  }
  return errors;
}

/** The OpenAPI document, built from the controllers (paths) and the DTOs and contract types (schemas). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CloudOps Status Page API')
      .setDescription('Public status (no auth) and the admin API (bearer token; see README → Admin API).')
      .setVersion('1')
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer('/', 'This server')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque token (sp_…), from npm run admin-token',
        description: 'An admin token from npm run admin-token; the server keeps only its SHA-256',
      })
      .build(),
    // Nest renders the DTOs too: their @ApiProperty descriptions and examples annotate the generated schemas.
    { extraModels: Object.values(REQUEST_DTOS) },
  );
  const annotated = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  const requests = requestSchemas(annotated);
  const clash = Object.keys(requests).filter((name) => name in CONTRACT_SCHEMAS);
  if (clash.length > 0) throw new Error(`request and response schemas share the names ${clash.join(', ')}`);
  document.components = { ...document.components, schemas: { ...CONTRACT_SCHEMAS, ...requests } };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // Public operations say so (an empty requirement), admin ones carry the bearer requirement.
      operation.security ??= [];
      for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
        // The router refuses a longer path segment with 414 (fastify maxParamLength) before any handler runs.
        if (parameter.in === 'path') parameter.schema = { type: 'string', minLength: 1, maxLength: 100 };
      }
      const responses = operation.responses as Record<string, ResponseObject>;
      for (const [status, description] of Object.entries(crossCuttingErrors(operation))) {
        responses[status] ??=
          Number(status) === 408 || Number(status) === 431 ? { description } : { description, content: ERROR };
      }
      for (const response of Object.values(responses)) {
        // Nest writes an empty schema for undeclared bodies; the ones that remain are documented above.
        if (response.content && Object.keys(response.content).length === 0) delete response.content;
      }
    }
  }
  return document;
}

/**
 * The OpenAPI document at /api/openapi.json and Swagger UI at /api/docs. The document is built on the first request
 * for either (SwaggerModule takes a factory and keeps what it returns), not at boot: few processes are ever asked
 * for it, and the scan plus the document (~120 KB of JSON as objects) would stay in the heap for good.
 */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/openapi.json',
    raw: ['json'],
  });
}
