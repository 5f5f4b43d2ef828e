import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Optional, OptionalIntInRange, SingleLineText } from '@app/common';
import {
  CHECK_KINDS,
  HTTP_METHODS,
  type CheckKind,
  type HttpMethod,
  type ServiceDefinition,
  type SloDefinition,
} from '@app/contracts';
import { IsDuration } from './duration.validator.js';
import {
  AssertionsDto,
  CHECK_LIMITS,
  DnsDto,
  HeartbeatDto,
  HttpAuthDto,
  HttpHeaderDto,
  MaxBytes,
  NestedList,
  TcpDto,
} from './check-definition.dto.js';

export { IsDuration } from './duration.validator.js';

/** Rule text shared by the decorators and the docs, so the error a user sees is the rule that was applied. */
export const LIMITS = {
  idPattern: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  intervalMs: { min: 1_000, max: 86_400_000 },
  timeoutMs: { min: 100, max: 60_000 },
  latencyThresholdMs: { min: 1, max: 60_000 },
  threshold: { min: 1, max: 20 },
  sloTarget: { min: 50, max: 99.999 },
  sloWindowDays: { min: 1, max: 90 },
  expectedStatus: { min: 100, max: 599, maxEntries: 20 },
  urlMaxLength: 2048,
};

/** HTTP statuses expected from a healthy service: numbers (200) or inclusive ranges ("200-299"). */
export function IsStatusList(options?: ValidationOptions): PropertyDecorator {
  const { min, max, maxEntries } = LIMITS.expectedStatus;
  return ValidateBy(
    {
      name: 'isStatusList',
      validator: {
        validate: (value: unknown) => parseStatusList(value) !== null,
        defaultMessage: () =>
          `must be a list of 1-${maxEntries} HTTP statuses (${min}-${max}) or ranges like "200-299"`,
      },
    },
    options,
  );
}

export function parseStatusList(value: unknown): [number, number][] | null {
  const { min, max, maxEntries } = LIMITS.expectedStatus;
  if (!Array.isArray(value) || value.length < 1 || value.length > maxEntries) return null;
  const ranges: [number, number][] = [];
  for (const entry of value) {
    let low: number;
    let high: number;
    if (typeof entry === 'number') {
      low = high = entry;
    } else if (typeof entry === 'string' && /^\d{3}(-\d{3})?$/.test(entry)) {
      const [a, b] = entry.split('-');
      low = Number(a);
      high = Number(b ?? a);
    } else {
      return null;
    }
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < min || high > max || low > high) return null;
    ranges.push([low, high]);
  }
  return ranges;
}

export class SloDto implements SloDefinition {
  @ApiProperty({ description: 'Availability target in percent', example: 99.9 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(LIMITS.sloTarget.min, { message: `must be between ${LIMITS.sloTarget.min} and ${LIMITS.sloTarget.max}` })
  @Max(LIMITS.sloTarget.max, { message: `must be between ${LIMITS.sloTarget.min} and ${LIMITS.sloTarget.max}` })
  target!: number;

  @ApiPropertyOptional({ description: 'SLO window in whole days', example: '30d', default: '30d' })
  @Optional()
  @IsDuration(LIMITS.sloWindowDays.min * 86_400_000, LIMITS.sloWindowDays.max * 86_400_000)
  @Matches(/^\d+d$/, { message: 'must be a whole number of days, e.g. "30d"' })
  window?: string;
}

/**
 * One monitored service as written in the services file and sent to the admin API (one schema, two doors).
 * Everything but id and name has a default; which other fields apply depends on `kind` (KIND_FIELDS), and the
 * rules between fields are checked by normaliseService.
 */
export class ServiceDefinitionDto implements ServiceDefinition {
  @ApiProperty({ description: 'Stable id: 1-63 of a-z, 0-9, "-", "_"', example: 'checkout-api' })
  @IsString({ message: 'must be a string' })
  @Matches(LIMITS.idPattern, {
    message: 'must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit',
  })
  id!: string;

  @ApiProperty({ description: 'Display name', example: 'Checkout API' })
  @SingleLineText(1, 100)
  name!: string;

  @ApiPropertyOptional({ description: 'Group heading on the status page', example: 'Payments' })
  @Optional()
  @SingleLineText(1, 60)
  group?: string;

  @ApiPropertyOptional({
    description: 'What is checked: an HTTP(S) endpoint, a TCP port, a DNS record, or pings pushed by a job',
    enum: CHECK_KINDS,
    default: 'http',
  })
  @Optional()
  @IsIn(CHECK_KINDS, { message: `must be ${CHECK_KINDS.join(', ')}` })
  kind?: CheckKind;

  @ApiPropertyOptional({
    description:
      'http(s)://… (http) or tcp://host:port (tcp); private, loopback and link-local targets are refused unless TARGET_ALLOW_CIDRS allows them',
    example: 'https://api.example.com/health',
  })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(LIMITS.urlMaxLength, { message: `must be at most ${LIMITS.urlMaxLength} characters` })
  url?: string;

  @ApiPropertyOptional({ default: 'GET', example: 'POST' })
  @Optional()
  @IsIn(HTTP_METHODS, { message: `must be ${HTTP_METHODS.join(', ')}` })
  method?: HttpMethod;

  @ApiPropertyOptional({ description: 'Request body (POST only), at most 4 KiB', example: '{"probe":true}' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxBytes(CHECK_LIMITS.bodyBytes)
  body?: string;

  @ApiPropertyOptional({ type: () => [HttpHeaderDto], description: 'Request headers' })
  @NestedList(() => HttpHeaderDto, CHECK_LIMITS.headers)
  headers?: HttpHeaderDto[];

  @ApiPropertyOptional({ type: () => HttpAuthDto })
  @Optional()
  @ValidateNested()
  @Type(() => HttpAuthDto)
  auth?: HttpAuthDto;

  @ApiPropertyOptional({ description: 'Follow up to 5 redirects (each hop re-checked)', default: true })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  followRedirects?: boolean;

  @ApiPropertyOptional({
    description: 'Accept any certificate (expired, self-signed, another host); strict by default',
    default: false,
  })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  insecureTls?: boolean;

  @ApiPropertyOptional({ type: () => AssertionsDto })
  @Optional()
  @ValidateNested()
  @Type(() => AssertionsDto)
  assertions?: AssertionsDto;

  @ApiPropertyOptional({ description: 'Degraded when the certificate expires in fewer days than this', default: 14 })
  @OptionalIntInRange(CHECK_LIMITS.certExpiryWarningDays.min, CHECK_LIMITS.certExpiryWarningDays.max)
  certExpiryWarningDays?: number;

  @ApiPropertyOptional({ type: () => TcpDto })
  @Optional()
  @ValidateNested()
  @Type(() => TcpDto)
  tcp?: TcpDto;

  @ApiPropertyOptional({ type: () => DnsDto })
  @Optional()
  @ValidateNested()
  @Type(() => DnsDto)
  dns?: DnsDto;

  @ApiPropertyOptional({ type: () => HeartbeatDto })
  @Optional()
  @ValidateNested()
  @Type(() => HeartbeatDto)
  heartbeat?: HeartbeatDto;

  @ApiPropertyOptional({ description: 'Check interval, whole seconds, 1s to 24h', example: '30s', default: '30s' })
  @Optional()
  @IsDuration(LIMITS.intervalMs.min, LIMITS.intervalMs.max, true)
  interval?: string;

  @ApiPropertyOptional({
    // No fixed default: it follows the interval (min(10s, interval − 1s), at least 100ms) until it is set.
    description:
      'Hard deadline for DNS + connect + TLS + headers + body; shorter than the interval. Default: min(10s, interval − 1s), at least 100ms, recomputed when the interval changes while the timeout is not set',
    example: '5s',
  })
  @Optional()
  @IsDuration(LIMITS.timeoutMs.min, LIMITS.timeoutMs.max)
  timeout?: string;

  @ApiPropertyOptional({ description: 'Successful checks slower than this count as degraded', example: 1500 })
  @OptionalIntInRange(LIMITS.latencyThresholdMs.min, LIMITS.latencyThresholdMs.max)
  latencyThresholdMs?: number;

  @ApiPropertyOptional({
    description: 'Consecutive failures before the service is down',
    default: 3,
    example: 3,
  })
  @OptionalIntInRange(LIMITS.threshold.min, LIMITS.threshold.max)
  failureThreshold?: number;

  @ApiPropertyOptional({
    description: 'Consecutive successes before a down service is up again',
    default: 2,
    example: 2,
  })
  @OptionalIntInRange(LIMITS.threshold.min, LIMITS.threshold.max)
  recoveryThreshold?: number;

  @ApiPropertyOptional({
    description: 'Healthy statuses or ranges',
    example: [200, '300-399'],
    default: ['200-299'],
  })
  @Optional()
  @IsStatusList()
  expectedStatus?: (number | string)[];

  @ApiPropertyOptional({ type: () => SloDto })
  @Optional()
  @ValidateNested()
  @Type(() => SloDto)
  slo?: SloDto;

  @ApiPropertyOptional({
    description: 'Open a minor incident (and alert) when the service is degraded',
    default: false,
  })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  degradedOpensIncident?: boolean;

  @ApiPropertyOptional({ description: 'Stop checking without deleting; shown as unknown/paused', default: false })
  @Optional()
  @IsBoolean({ message: 'must be true or false' })
  paused?: boolean;
}
