import type { SchemaObject } from '@nestjs/swagger';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
// The metadata @Type writes (no export map: the CJS build is the one the decorators use), so nested lists of DTOs
// (headers, json and header assertions) get their item schema.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters.js';
import { CreateIncidentDto, EditIncidentDto, IncidentUpdateDto, MaintenanceDto, SubscribeDto } from '@app/incidents';
import {
  AssertionsDto,
  CHECK_LIMITS,
  DnsDto,
  formatDuration,
  HeaderAssertionDto,
  HeartbeatDto,
  HttpAuthDto,
  HttpHeaderDto,
  JSON_PATH_LIMITS,
  JsonAssertionDto,
  KIND_FIELDS,
  LIMITS,
  REGEX_LIMITS,
  ServiceDefinitionDto,
  SloDto,
  TcpDto,
} from '@app/monitoring';
import { CHECK_KINDS, type CheckKind } from '@app/contracts';

/** Every request body the API validates, under the name of the contract type its DTO implements. */
export const REQUEST_DTOS = {
  ServiceDefinition: ServiceDefinitionDto,
  SloDefinition: SloDto,
  // Nested check options: named apart from the response types of the same shape (HttpHeaderDefinition …).
  HttpHeaderInput: HttpHeaderDto,
  HttpAuthInput: HttpAuthDto,
  AssertionsInput: AssertionsDto,
  JsonAssertionInput: JsonAssertionDto,
  HeaderAssertionInput: HeaderAssertionDto,
  TcpInput: TcpDto,
  DnsInput: DnsDto,
  HeartbeatInput: HeartbeatDto,
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
  notRedacted: {},
  notReservedHeader: {},
  maxBytes: (meta) => ({
    type: 'string',
    maxLength: meta.constraints[0] as number,
    description: `at most ${meta.constraints[0] as number} bytes in UTF-8`,
  }),
  isRe2Pattern: { type: 'string', minLength: 1, maxLength: REGEX_LIMITS.maxLength, description: 'RE2 syntax' },
  isJsonPath: {
    type: 'string',
    maxLength: JSON_PATH_LIMITS.maxLength,
    pattern: '^\\$',
    description: 'JSONPath subset: $, .member, ["member"], [index]',
  },
  isJsonScalar: {
    anyOf: [{ type: 'string', maxLength: CHECK_LIMITS.assertionTextLength }, { type: 'number' }, { type: 'boolean' }],
  },
  isDnsServer: { type: 'string', maxLength: 64, description: 'IP[:port] or [IPv6]:port' },
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
      classTransformerMetadataStorage: defaultMetadataStorage,
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
  out.HttpAuthInput = authVariants(out.HttpAuthInput!);
  const { ServiceDefinition: definition, ...rest } = out;
  return { ...rest, ...serviceVariants(definition!) };
}

/** $refs to DTO classes point at their schema names ("SloDto" → "Slo"), at any depth; a $ref carries no siblings in 3.0. */
function renameRefs(schema: SchemaObject): SchemaObject {
  if ('$ref' in schema) {
    const ref = (schema as { $ref: string }).$ref.replace(/[^/]+$/, (cls) => DTO_NAMES.get(cls) ?? cls);
    return { $ref: ref } as SchemaObject;
  }
  const out: Record<string, unknown> = { ...schema };
  if (schema.items) out.items = renameRefs(schema.items as SchemaObject);
  for (const union of ['anyOf', 'oneOf', 'allOf'] as const)
    if (Array.isArray(schema[union])) out[union] = schema[union].map((member) => renameRefs(member as SchemaObject));
  return out;
}

/** A schema without its example and default (a variant narrows the enum, so the shared ones may not fit). */
function withoutSamples(schema: SchemaObject): SchemaObject {
  const copy: SchemaObject = { ...schema };
  delete copy.example;
  delete copy.default;
  return copy;
}

const COMMON_FIELDS = [
  'id',
  'name',
  'group',
  'kind',
  'interval',
  'timeout',
  'latencyThresholdMs',
  'failureThreshold',
  'recoveryThreshold',
  'slo',
  'degradedOpensIncident',
  'paused',
];

/** Fields a variant of the given kind requires besides id and name. */
const KIND_REQUIRED: Record<CheckKind, string[]> = {
  http: ['url'],
  tcp: ['kind', 'url'],
  dns: ['kind', 'dns'],
  heartbeat: ['kind'],
};

/** The definition restricted to one kind's fields (KIND_FIELDS, the table the validation uses too). */
function kindVariant(definition: SchemaObject, kind: CheckKind): SchemaObject {
  const all = definition.properties as Record<string, SchemaObject>;
  const properties: Record<string, SchemaObject> = {};
  for (const field of [...COMMON_FIELDS, ...KIND_FIELDS[kind]]) if (all[field]) properties[field] = all[field];
  properties.kind = {
    ...withoutSamples(all.kind ?? {}),
    enum: [kind],
    ...(kind === 'http' ? { default: 'http' } : {}),
  };
  return {
    type: 'object',
    description: `A ${kind} check`,
    properties,
    required: ['id', 'name', ...KIND_REQUIRED[kind]],
    additionalProperties: false,
  };
}

/** HTTP auth is basic (username + password) or bearer (token): two closed shapes. */
function authVariants(auth: SchemaObject): SchemaObject {
  const properties = auth.properties as Record<string, SchemaObject>;
  const all: Record<string, SchemaObject> = { ...properties, type: withoutSamples(properties.type ?? {}) };
  return {
    description: auth.description ?? 'Credentials sent with every check (always secret)',
    anyOf: [
      {
        type: 'object',
        properties: { type: { ...all.type, enum: ['basic'] }, username: all.username!, password: all.password! },
        required: ['type', 'username', 'password'],
        additionalProperties: false,
      },
      {
        type: 'object',
        properties: { type: { ...all.type, enum: ['bearer'] }, token: all.token! },
        required: ['type', 'token'],
        additionalProperties: false,
      },
    ],
  };
}

/**
 * One request schema per door, each an anyOf of one closed variant per check kind (an http service cannot carry
 * `dns`, …): POST takes a whole definition; PUT the same with the id from the URL (in the body it must match);
 * PATCH any subset, where null clears the two clearable fields — the documented exception to the null rule.
 */
function serviceVariants(definition: SchemaObject): Record<string, SchemaObject> {
  const variants = Object.fromEntries(CHECK_KINDS.map((kind) => [kind, kindVariant(definition, kind)])) as Record<
    CheckKind,
    SchemaObject
  >;
  const name = (kind: CheckKind) => `${kind[0]!.toUpperCase()}${kind.slice(1)}ServiceDefinition`;
  const clearable = (variant: SchemaObject, field: string): SchemaObject => {
    const properties = variant.properties as Record<string, SchemaObject>;
    return {
      ...properties[field],
      nullable: true,
      description: `${properties[field]?.description ?? ''} (null clears it)`.trim(),
    };
  };
  return {
    ...Object.fromEntries(CHECK_KINDS.map((kind) => [name(kind), variants[kind]])),
    ServiceDefinition: {
      description: 'A monitored service; `kind` (default http) decides which check options apply',
      anyOf: CHECK_KINDS.map((kind) => ({ $ref: `#/components/schemas/${name(kind)}` })),
    },
    ServiceReplacement: {
      description: 'The whole new definition; omitted fields take their defaults; the id comes from the URL',
      anyOf: CHECK_KINDS.map((kind) => ({
        ...variants[kind],
        required: (variants[kind].required ?? []).filter((field: string) => field !== 'id'),
      })),
    },
    ServicePatch: {
      description: 'Any subset of the fields, merged into the current definition and validated as a whole',
      anyOf: CHECK_KINDS.map((kind) => {
        const { required: _required, ...variant } = variants[kind];
        return {
          ...variant,
          properties: {
            ...(variant.properties as Record<string, SchemaObject>),
            group: clearable(variant, 'group'),
            latencyThresholdMs: clearable(variant, 'latencyThresholdMs'),
          },
        };
      }),
    },
  };
}
