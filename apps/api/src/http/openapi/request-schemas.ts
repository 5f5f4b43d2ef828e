import type { SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import { CreateIncidentDto, EditIncidentDto, IncidentUpdateDto, MaintenanceDto, SubscribeDto } from '@app/incidents';
import { formatDuration, LIMITS, ServiceDefinitionDto, SloDto } from '@app/monitoring';

/** Every request body the API validates, under the name of the contract type its DTO implements. */
export const REQUEST_DTOS = {
  ServiceDefinition: ServiceDefinitionDto,
  SloDefinition: SloDto,
  CreateIncidentRequest: CreateIncidentDto,
  IncidentUpdateRequest: IncidentUpdateDto,
  EditIncidentRequest: EditIncidentDto,
  MaintenanceRequest: MaintenanceDto,
  SubscribeRequest: SubscribeDto,
} as const;

const DTO_NAMES = new Map<string, string>(Object.entries(REQUEST_DTOS).map(([name, cls]) => [cls.name, name]));

/** The characters SingleLineText / MultiLineText refuse, as a JSON Schema pattern (ECMA-262, like the validator). */
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS_BUT_LINES =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

/**
 * Schema fragments for the validators of our own (ValidateBy names) and the built-ins whose default conversion
 * says less than they check. Anything a validator enforces and a schema can say is said here.
 */
const CONVERTERS: ISchemaConverters = {
  notNull: {},
  [ValidationTypes.CONDITIONAL_VALIDATION]: {},
  min: (meta) => ({ minimum: meta.constraints[0] as number }),
  max: (meta) => ({ maximum: meta.constraints[0] as number }),
  isDuration: (meta) => {
    const [min, max, wholeSeconds] = meta.constraints as [number, number, boolean];
    return {
      type: 'string',
      maxLength: 32,
      pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$',
      description: `a duration${wholeSeconds ? ' in whole seconds' : ''} from ${formatDuration(min)} to ${formatDuration(max)}, e.g. "30s", "5m", "1h30m"`,
    };
  },
  isStatusList: () => {
    const { min, max, maxEntries } = LIMITS.expectedStatus;
    return {
      type: 'array',
      minItems: 1,
      maxItems: maxEntries,
      items: {
        anyOf: [
          { type: 'integer', minimum: min, maximum: max },
          { type: 'string', pattern: '^\\d{3}(-\\d{3})?$', description: `an inclusive range within ${min}-${max}` },
        ],
      },
    };
  },
  singleLineText: { type: 'string', pattern: `^(?!\\s*$)[^${CONTROLS}]*$` },
  multiLineText: () => ({ type: 'string', pattern: `^[^${CONTROLS_BUT_LINES}]*$` }),
  isDateTime: { type: 'string', format: 'date-time' },
};

/**
 * The request schemas, generated from the class-validator metadata of the DTOs the server validates with — the
 * constraints cannot drift from the checks. @ApiProperty adds only descriptions, examples and defaults (taken
 * from `annotated`, Nest's own rendering of the same classes). Unknown fields are refused (whitelist), so every
 * schema is closed.
 */
export function requestSchemas(annotated: Record<string, SchemaObject>): Record<string, SchemaObject> {
  const out: Record<string, SchemaObject> = {};
  for (const [name, cls] of Object.entries(REQUEST_DTOS)) {
    const generated = targetConstructorToSchema(cls, {
      additionalConverters: CONVERTERS,
      classValidatorMetadataStorage: getMetadataStorage(),
      refPointerPrefix: '#/components/schemas/',
    }) as SchemaObject;
    const notes = annotated[cls.name]?.properties ?? {};
    const properties: Record<string, SchemaObject> = {};
    for (const [property, schema] of Object.entries(generated.properties ?? {})) {
      const note = (notes[property] ?? {}) as SchemaObject;
      const merged: SchemaObject = { ...renameRefs(schema as SchemaObject) };
      if (note.example !== undefined) merged.example = note.example as unknown;
      if (note.default !== undefined) merged.default = note.default as unknown;
      if (note.description !== undefined)
        merged.description = merged.description ? `${note.description}: ${merged.description}` : note.description;
      properties[property] = merged;
    }
    out[name] = { type: 'object', properties, additionalProperties: false };
    if (generated.required?.length) out[name].required = generated.required;
  }
  return { ...out, ...serviceVariants(out.ServiceDefinition!) };
}

/** $refs to DTO classes point at their schema names ("SloDto" → "Slo"); a $ref carries no siblings in 3.0. */
function renameRefs(schema: SchemaObject): SchemaObject {
  if (!('$ref' in schema)) return schema;
  const ref = (schema as { $ref: string }).$ref.replace(/[^/]+$/, (cls) => DTO_NAMES.get(cls) ?? cls);
  return { $ref: ref } as SchemaObject;
}

/**
 * PUT takes the id from the URL (in the body it must match); PATCH takes any subset, and null clears the two
 * clearable fields — the documented exception to the null rule.
 */
function serviceVariants(definition: SchemaObject): Record<string, SchemaObject> {
  const properties = definition.properties as Record<string, SchemaObject>;
  const clearable = (field: string): SchemaObject => ({
    ...properties[field],
    nullable: true,
    description: `${properties[field]?.description ?? ''} (null clears it)`.trim(),
  });
  return {
    ServiceReplacement: {
      ...definition,
      required: (definition.required ?? []).filter((field: string) => field !== 'id'),
      description: 'The whole new definition; omitted fields take their defaults; the id comes from the URL',
    },
    ServicePatch: {
      type: 'object',
      additionalProperties: false,
      description: 'Any subset of the fields, merged into the current definition and validated as a whole',
      properties: { ...properties, group: clearable('group'), latencyThresholdMs: clearable('latencyThresholdMs') },
    },
  };
}
