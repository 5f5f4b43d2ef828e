import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Optional } from '@app/common';
import {
  AUTH_TYPES,
  DNS_RECORD_TYPES,
  HEADER_OPERATORS,
  JSON_OPERATORS,
  REDACTED,
  type AssertionsDefinition,
  type AuthType,
  type DnsDefinition,
  type DnsRecordType,
  type HeaderAssertion,
  type HeaderOperator,
  type HeartbeatDefinition,
  type HttpAuthDefinition,
  type HttpHeaderDefinition,
  type JsonAssertion,
  type JsonOperator,
  type TcpDefinition,
} from '@app/contracts';
import { JSON_PATH_LIMITS, JSON_PATH_RULE, parseJsonPath } from '../probe/assertions/json-path.js';
import { compileError, REGEX_LIMITS, REGEX_RULE } from '../probe/assertions/regex-runner.js';
import { parseDnsServer } from './dns-server.js';
import { IsDuration } from './duration.validator.js';

/** Rule text and sizes of the check options, shared by the decorators, the OpenAPI converters and the docs. */
export const CHECK_LIMITS = {
  bodyBytes: 4096,
  headers: 20,
  headerNameLength: 64,
  headerValueLength: 1024,
  credentialLength: 1024,
  assertionsPerList: 10,
  assertionTextLength: 200,
  tcpTextLength: 1024,
  dnsNameLength: 253,
  dnsExpect: 20,
  dnsExpectLength: 255,
  certExpiryWarningDays: { min: 1, max: 365 },
  graceMs: { min: 0, max: 86_400_000 },
} as const;

/** RFC 9110 token characters: what a header name may be made of. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Printable ASCII, space and tab: nothing that could end the header line (CR, LF) or smuggle a control. */
export const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e]*$/;
/** Headers the probe sets itself, or that would change how the request is framed or routed. */
export const RESERVED_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
] as const;
export const HEADER_NAME_RULE = `must be an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-, 1-${CHECK_LIMITS.headerNameLength} characters) other than ${RESERVED_HEADERS.join(', ')}`;
export const HEADER_VALUE_RULE = `must be printable ASCII, at most ${CHECK_LIMITS.headerValueLength} characters (no line breaks or control characters)`;
/** A DNS name: labels of letters, digits, "-" and "_", dot-separated, optionally ending in a dot. */
export const DNS_NAME_PATTERN =
  /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$/;
export const TOKEN_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A secret may not be the redaction placeholder: that text means "keep the stored one" in a PUT or PATCH. */
function NotRedacted(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notRedacted',
      validator: {
        validate: (value: unknown) => value !== REDACTED,
        defaultMessage: () =>
          `is the redaction placeholder ${JSON.stringify(REDACTED)} but there is no stored secret to keep; send the real value`,
      },
    },
    options,
  );
}

/** A string of at most `max` bytes in UTF-8 (the request body limit is in bytes, not characters). */
export function MaxBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: () => `must be a string of at most ${max} bytes (${max / 1024} KiB) in UTF-8`,
      },
    },
    options,
  );
}

/** A `matches` pattern: RE2 syntax, compiled here with the engine that will run it. */
export function IsRe2Pattern(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRe2Pattern',
      constraints: [REGEX_LIMITS.maxLength],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.length >= 1 &&
          value.length <= REGEX_LIMITS.maxLength &&
          compileError(value) === null,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          if (Array.isArray(value)) {
            const bad = value.find(
              (entry) =>
                typeof entry !== 'string' || entry.length > REGEX_LIMITS.maxLength || compileError(entry) !== null,
            ) as unknown;
            if (typeof bad === 'string' && bad.length <= REGEX_LIMITS.maxLength)
              return `${REGEX_RULE}: ${JSON.stringify(bad).slice(0, 60)} does not compile (${compileError(bad)?.slice(0, 80) ?? ''})`;
          }
          return REGEX_RULE;
        },
      },
    },
    options,
  );
}

export function IsJsonPath(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonPath',
      constraints: [JSON_PATH_LIMITS.maxLength],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseJsonPath(value) !== null,
        defaultMessage: () => JSON_PATH_RULE,
      },
    },
    options,
  );
}

/** A JSON assertion's expected value: a string (≤ 200 characters), a finite number or a boolean. */
export function IsJsonScalar(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonScalar',
      constraints: [CHECK_LIMITS.assertionTextLength],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'boolean' ||
          (typeof value === 'number' && Number.isFinite(value)) ||
          (typeof value === 'string' && value.length <= CHECK_LIMITS.assertionTextLength),
        defaultMessage: () =>
          `must be a string (at most ${CHECK_LIMITS.assertionTextLength} characters), a number or true/false`,
      },
    },
    options,
  );
}

export const DNS_SERVER_RULE =
  'must be an IP address with an optional port, e.g. "9.9.9.9", "9.9.9.9:5353" or "[2620:fe::fe]:53"';

export function IsDnsServer(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDnsServer',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && parseDnsServer(value) !== null,
        defaultMessage: () => DNS_SERVER_RULE,
      },
    },
    options,
  );
}

export class HttpHeaderDto implements HttpHeaderDefinition {
  @ApiProperty({ description: 'Header name (case-insensitive, unique in the list)', example: 'X-Api-Key' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: HEADER_NAME_RULE })
  @MaxLength(CHECK_LIMITS.headerNameLength, { message: HEADER_NAME_RULE })
  @Matches(HEADER_NAME_PATTERN, { message: HEADER_NAME_RULE })
  @ValidateBy({
    name: 'notReservedHeader',
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'string' || !(RESERVED_HEADERS as readonly string[]).includes(value.toLowerCase()),
      defaultMessage: () => HEADER_NAME_RULE,
    },
  })
  name!: string;

  @ApiProperty({ description: 'Header value; redacted in every answer when secret', example: 'abc123' })
  @IsString({ message: 'must be a string' })
  @MaxLength(CHECK_LIMITS.headerValueLength, { message: HEADER_VALUE_RULE })
  @Matches(HEADER_VALUE_PATTERN, { message: HEADER_VALUE_RULE })
  @ValidateBy({
    name: 'notRedacted',
    validator: {
      // Only a secret header's value can be the placeholder (it is what GET shows for it).
      validate: (value: unknown, args) => value !== REDACTED || (args?.object as { secret?: unknown }).secret !== true,
      defaultMessage: () =>
        `is the redaction placeholder ${JSON.stringify(REDACTED)} but there is no stored secret to keep; send the real value`,
    },
  })
  value!: string;

  @ApiPropertyOptional({ description: 'Redact the value in answers, logs and the audit log', default: false })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  secret?: boolean;
}

const CREDENTIAL_RULE = `must be printable ASCII, 1-${CHECK_LIMITS.credentialLength} characters`;

export class HttpAuthDto implements HttpAuthDefinition {
  @ApiProperty({ enum: AUTH_TYPES, example: 'bearer' })
  @IsIn(AUTH_TYPES, { message: `must be ${AUTH_TYPES.join(' or ')}` })
  type!: AuthType;

  @ApiPropertyOptional({ description: 'basic: the user name (no ":")', example: 'monitor' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: CREDENTIAL_RULE })
  @MaxLength(CHECK_LIMITS.credentialLength, { message: CREDENTIAL_RULE })
  @Matches(/^[\x20-\x39\x3b-\x7e]*$/, { message: 'must be printable ASCII without ":"' })
  username?: string;

  @ApiPropertyOptional({ description: 'basic: the password (secret, redacted in answers)', example: 's3cret' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: CREDENTIAL_RULE })
  @MaxLength(CHECK_LIMITS.credentialLength, { message: CREDENTIAL_RULE })
  @Matches(/^[\x20-\x7e]*$/, { message: CREDENTIAL_RULE })
  @NotRedacted()
  password?: string;

  @ApiPropertyOptional({ description: 'bearer: the token (secret, redacted in answers)', example: 'eyJhbGciOi' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: CREDENTIAL_RULE })
  @MaxLength(CHECK_LIMITS.credentialLength, { message: CREDENTIAL_RULE })
  @Matches(/^[\x21-\x7e]*$/, { message: 'must be printable ASCII without spaces' })
  @NotRedacted()
  token?: string;
}

export class JsonAssertionDto implements JsonAssertion {
  @ApiProperty({ description: 'JSONPath subset: $, .member, ["member"], [index]', example: '$.status' })
  @IsString({ message: 'must be a string' })
  @MaxLength(JSON_PATH_LIMITS.maxLength, { message: JSON_PATH_RULE })
  @IsJsonPath()
  path!: string;

  @ApiProperty({ enum: JSON_OPERATORS, example: '==' })
  @IsIn(JSON_OPERATORS, { message: `must be one of ${JSON_OPERATORS.join(' ')}` })
  operator!: JsonOperator;

  @ApiPropertyOptional({ description: 'Absent for exists; a number for <, <=, >, >=', example: 'UP' })
  @Optional()
  @IsJsonScalar()
  value?: string | number | boolean;
}

const ASSERTION_TEXT_RULE = `must be a string of 1-${CHECK_LIMITS.assertionTextLength} characters`;

export class HeaderAssertionDto implements HeaderAssertion {
  @ApiProperty({ description: 'Response header name, case-insensitive', example: 'content-type' })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: HEADER_NAME_RULE })
  @MaxLength(CHECK_LIMITS.headerNameLength, { message: HEADER_NAME_RULE })
  @Matches(HEADER_NAME_PATTERN, { message: HEADER_NAME_RULE })
  name!: string;

  @ApiProperty({ enum: HEADER_OPERATORS, example: 'contains' })
  @IsIn(HEADER_OPERATORS, { message: `must be one of ${HEADER_OPERATORS.join(' ')}` })
  operator!: HeaderOperator;

  @ApiPropertyOptional({ description: 'Absent for exists', example: 'application/json' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(CHECK_LIMITS.assertionTextLength, { message: ASSERTION_TEXT_RULE })
  value?: string;
}

/** A list of 0-10 strings of 1-200 characters (the contains / notContains assertions). */
function TextList(): PropertyDecorator {
  const rule = `must be a list of at most ${CHECK_LIMITS.assertionsPerList} strings of 1-${CHECK_LIMITS.assertionTextLength} characters`;
  return (target, key) => {
    Optional()(target, key);
    IsArray({ message: rule })(target, key);
    ArrayMaxSize(CHECK_LIMITS.assertionsPerList, { message: rule })(target, key);
    IsString({ each: true, message: rule })(target, key);
    MinLength(1, { each: true, message: rule })(target, key);
    MaxLength(CHECK_LIMITS.assertionTextLength, { each: true, message: rule })(target, key);
  };
}

/** An optional list of nested objects validated by `cls`, at most `max` entries. */
export function NestedList(cls: () => new () => object, max: number): PropertyDecorator {
  const rule = `must be a list of at most ${max} objects`;
  return (target, key) => {
    Optional()(target, key);
    IsArray({ message: rule })(target, key);
    ArrayMaxSize(max, { message: rule })(target, key);
    ValidateNested({ each: true })(target, key);
    Type(cls)(target, key);
  };
}

export class AssertionsDto implements AssertionsDefinition {
  @ApiPropertyOptional({ description: 'The body contains each string', example: ['"status":"UP"'] })
  @TextList()
  contains?: string[];

  @ApiPropertyOptional({ description: 'The body contains none of these', example: ['maintenance'] })
  @TextList()
  notContains?: string[];

  @ApiPropertyOptional({ description: 'The body matches each RE2 pattern (searched anywhere)', example: ['^OK\\b'] })
  @Optional()
  @IsArray({ message: `must be a list of at most ${CHECK_LIMITS.assertionsPerList} patterns` })
  @ArrayMaxSize(CHECK_LIMITS.assertionsPerList, {
    message: `must be a list of at most ${CHECK_LIMITS.assertionsPerList} patterns`,
  })
  @IsRe2Pattern({ each: true })
  matches?: string[];

  @ApiPropertyOptional({ type: () => [JsonAssertionDto] })
  @NestedList(() => JsonAssertionDto, CHECK_LIMITS.assertionsPerList)
  json?: JsonAssertionDto[];

  @ApiPropertyOptional({ type: () => [HeaderAssertionDto] })
  @NestedList(() => HeaderAssertionDto, CHECK_LIMITS.assertionsPerList)
  headers?: HeaderAssertionDto[];
}

const TCP_TEXT_RULE = `must be a string of 1-${CHECK_LIMITS.tcpTextLength} characters`;

export class TcpDto implements TcpDefinition {
  @ApiPropertyOptional({ description: 'TLS handshake after connecting', default: false })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  tls?: boolean;

  @ApiPropertyOptional({ description: 'Sent once connected', example: 'PING\r\n' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: TCP_TEXT_RULE })
  @MaxLength(CHECK_LIMITS.tcpTextLength, { message: TCP_TEXT_RULE })
  send?: string;

  @ApiPropertyOptional({ description: 'Must appear in what the server sends', example: '+PONG' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: TCP_TEXT_RULE })
  @MaxLength(CHECK_LIMITS.tcpTextLength, { message: TCP_TEXT_RULE })
  expect?: string;
}

const DNS_NAME_RULE = 'must be a DNS name such as www.example.com (labels of letters, digits, "-" and "_")';
const DNS_EXPECT_RULE = `must be a list of 1-${CHECK_LIMITS.dnsExpect} values of 1-${CHECK_LIMITS.dnsExpectLength} characters`;

export class DnsDto implements DnsDefinition {
  @ApiProperty({ description: 'Name to resolve', example: 'www.example.com' })
  @IsString({ message: 'must be a string' })
  @MaxLength(CHECK_LIMITS.dnsNameLength + 1, { message: DNS_NAME_RULE })
  @Matches(DNS_NAME_PATTERN, { message: DNS_NAME_RULE })
  name!: string;

  @ApiProperty({ enum: DNS_RECORD_TYPES, example: 'A' })
  @IsIn(DNS_RECORD_TYPES, { message: `must be one of ${DNS_RECORD_TYPES.join(' ')}` })
  type!: DnsRecordType;

  @ApiPropertyOptional({
    description: 'Server to ask (IP[:port]); the system resolver when absent',
    example: '9.9.9.9',
  })
  @Optional()
  @IsDnsServer()
  server?: string;

  @ApiPropertyOptional({ description: 'Values every answer must include', example: ['93.184.215.14'] })
  @Optional()
  @IsArray({ message: DNS_EXPECT_RULE })
  @ArrayMaxSize(CHECK_LIMITS.dnsExpect, { message: DNS_EXPECT_RULE })
  @IsString({ each: true, message: DNS_EXPECT_RULE })
  @MinLength(1, { each: true, message: DNS_EXPECT_RULE })
  @MaxLength(CHECK_LIMITS.dnsExpectLength, { each: true, message: DNS_EXPECT_RULE })
  expect?: string[];
}

export class HeartbeatDto implements HeartbeatDefinition {
  @ApiPropertyOptional({ description: 'Extra time after the interval before a missing ping counts', default: '1m' })
  @Optional()
  @IsDuration(CHECK_LIMITS.graceMs.min, CHECK_LIMITS.graceMs.max)
  grace?: string;

  @ApiPropertyOptional({
    description: 'SHA-256 hex of the ping token (services file: npm run heartbeat-token); made by the API when absent',
    example: 'a'.repeat(64),
  })
  @Optional()
  @IsString({ message: 'must be a string' })
  @Matches(TOKEN_HASH_PATTERN, { message: 'must be 64 lower-case hex characters (SHA-256 of the token)' })
  tokenHash?: string;
}
