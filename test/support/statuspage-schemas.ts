import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';

/** The /api/v2 documents and the schema (test/fixtures/statuspage-v2) each must satisfy. */
export const STATUSPAGE_ENDPOINTS = {
  'summary.json': 'summary',
  'status.json': 'status',
  'components.json': 'components',
  'incidents.json': 'incidents',
  'incidents/unresolved.json': 'incidents',
  'scheduled-maintenances.json': 'scheduled-maintenances',
  'scheduled-maintenances/upcoming.json': 'scheduled-maintenances',
  'scheduled-maintenances/active.json': 'scheduled-maintenances',
} as const;
export type StatuspageSchemaName = (typeof STATUSPAGE_ENDPOINTS)[keyof typeof STATUSPAGE_ENDPOINTS];

// ajv-formats is CommonJS: under ESM the plugin may arrive as the default export's `default`.
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const compiled = new Map<StatuspageSchemaName, ValidateFunction>();

/** Validates a document against the named Statuspage schema; returns the errors as readable lines (none = valid). */
export function statuspageSchemaErrors(name: StatuspageSchemaName, document: unknown): string[] {
  let validate = compiled.get(name);
  if (!validate) {
    const path = resolve(import.meta.dirname, `../fixtures/statuspage-v2/${name}.schema.json`);
    validate = ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
    compiled.set(name, validate);
  }
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || '(root)'} ${error.message ?? error.keyword}`,
  );
}
