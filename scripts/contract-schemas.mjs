/**
 * Generates the OpenAPI (3.0) schemas of the API's responses from the contract types in libs/contracts, the
 * same types the controllers return and the dashboard reads, so the documented responses cannot drift from them.
 *
 *   node scripts/contract-schemas.mjs         writes apps/api/src/http/openapi/contract-schemas.generated.ts
 *
 * A unit spec regenerates and compares, so a contract change without a regeneration fails `npm test`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(ROOT, 'apps/api/src/http/openapi/contract-schemas.generated.ts');

/** The response types the API documents (their dependencies come along). */
export const RESPONSE_TYPES = [
  'StatusResponse',
  'HistoryResponse',
  'ServiceDetailResponse',
  'IncidentSummary',
  'IncidentPage',
  'MaintenanceWindow',
  'AdminService',
  'HeartbeatTokenResponse',
  'HeartbeatPingResponse',
  'AdminIdentity',
  'AuditPage',
  'ApiError',
  'HealthResponse',
  'SubscribeResponse',
  'StatuspageSummaryResponse',
  'StatuspageStatusResponse',
  'StatuspageComponentsResponse',
  'StatuspageIncidentsResponse',
  'StatuspageScheduledMaintenancesResponse',
];

/** JSON Schema (draft 7, as the generator writes it) → OpenAPI 3.0 schema object. */
function toOpenApi(node) {
  if (Array.isArray(node)) return node.map(toOpenApi);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === '$ref') out.$ref = value.replace('#/definitions/', '#/components/schemas/');
    else if (key === 'const') out.enum = [value];
    else out[key] = toOpenApi(value);
  }
  if (Array.isArray(out.type)) {
    const types = out.type.filter((type) => type !== 'null');
    if (types.length === 1) out.type = types[0];
    else {
      delete out.type;
      out.anyOf = types.map((type) => ({ type }));
    }
    if (types.length < node.type.length) out.nullable = true;
  }
  for (const union of ['anyOf', 'oneOf']) {
    if (!Array.isArray(out[union])) continue;
    const others = out[union].filter((member) => !(member.type === 'null' && Object.keys(member).length === 1));
    if (others.length === out[union].length) continue;
    delete out[union];
    // OpenAPI 3.0 has no "null" type: nullable says it, next to a type (a $ref needs an allOf to carry it).
    const single = others.length === 1 ? others[0] : { [union]: others };
    Object.assign(out, single.$ref ? { allOf: [single] } : single, { nullable: true });
  }
  return out;
}

export async function generateContractSchemas() {
  const generator = createGenerator({
    path: join(ROOT, 'libs/contracts/src/index.ts'),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: false,
    additionalProperties: false,
    skipTypeCheck: true,
    jsDoc: 'extended',
  });
  const schemas = {};
  for (const type of RESPONSE_TYPES) {
    const { definitions = {}, ...root } = generator.createSchema(type);
    for (const [name, schema] of Object.entries(definitions)) schemas[name] = toOpenApi(schema);
    if (Object.keys(root).length > 0 && !schemas[type]) schemas[type] = toOpenApi(root);
  }
  // Instantiated generics (Page<AuditEntry>) get names no client can use: their aliases (AuditPage) take the body.
  for (const [name, schema] of Object.entries(schemas)) {
    const target = schema.$ref && decodeURIComponent(schema.$ref.replace('#/components/schemas/', ''));
    if (target && /[^\w]/.test(target)) {
      const { $ref: _ref, ...rest } = schema;
      schemas[name] = { ...schemas[target], ...rest };
    }
  }
  for (const name of Object.keys(schemas)) if (/[^\w]/.test(name)) delete schemas[name];
  // OpenAPI 3.0 ignores siblings of a $ref and wants a type next to nullable: wrap such refs in an allOf.
  const wrapRefs = (node) => {
    if (Array.isArray(node)) return node.forEach(wrapRefs);
    if (node === null || typeof node !== 'object') return;
    for (const value of Object.values(node)) wrapRefs(value);
    if (node.$ref && Object.keys(node).length > 1) {
      const { $ref, ...siblings } = node;
      for (const key of Object.keys(node)) delete node[key];
      Object.assign(node, { allOf: [{ $ref }] }, siblings);
    }
    if (node.nullable && node.allOf?.length === 1 && node.allOf[0].$ref && !node.type) {
      // A nullable reference: allOf would still demand the referenced type of a null, so it is one of the two.
      const type = schemas[decodeURIComponent(node.allOf[0].$ref.split('/').pop())]?.type ?? 'object';
      const { allOf, nullable: _nullable, ...rest } = node;
      for (const key of Object.keys(node)) delete node[key];
      Object.assign(node, { anyOf: [allOf[0], { type, nullable: true, enum: [null] }] }, rest);
    }
  };
  wrapRefs(schemas);
  const dangling = JSON.stringify(schemas).match(/#\/components\/schemas\/[^"]*%3C[^"]*/);
  if (dangling)
    throw new Error(`unresolved generic schema ${dangling[0]}: give it an exported alias in libs/contracts`);
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  const text = `/**
 * GENERATED by scripts/contract-schemas.mjs from libs/contracts — do not edit; run \`node scripts/contract-schemas.mjs\`.
 * The OpenAPI schemas of every response body, generated from the contract types the controllers return.
 */
import type { SchemaObject } from '@nestjs/swagger';

export const CONTRACT_SCHEMAS: Record<string, SchemaObject> = ${JSON.stringify(sorted, null, 2)};
`;
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
  return prettier.format(text, { ...options, filepath: OUTPUT });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, await generateContractSchemas());
  process.stdout.write(`wrote ${OUTPUT}\n`);
}
