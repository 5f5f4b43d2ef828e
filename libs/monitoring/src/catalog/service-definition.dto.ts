import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { formatDuration, parseDuration } from './duration.js';

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

/** A duration string within [min, max]; `wholeSeconds` refuses "1500ms" for intervals. */
export function IsDuration(
  min: number,
  max: number,
  wholeSeconds = false,
  options?: ValidationOptions,
): PropertyDecorator {
  const rule = `must be a duration${wholeSeconds ? ' in whole seconds' : ''} between ${formatDuration(min)} and ${formatDuration(max)} (e.g. "30s", "5m")`;
  return ValidateBy(
    {
      name: 'isDuration',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > 32) return false;
          const ms = parseDuration(value);
          return ms !== null && ms >= min && ms <= max && (!wholeSeconds || ms % 1000 === 0);
        },
        defaultMessage: () => rule,
      },
    },
    options,
  );
}

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

export class SloDto {
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' })
  @Min(LIMITS.sloTarget.min, { message: `must be between ${LIMITS.sloTarget.min} and ${LIMITS.sloTarget.max}` })
  @Max(LIMITS.sloTarget.max, { message: `must be between ${LIMITS.sloTarget.min} and ${LIMITS.sloTarget.max}` })
  target!: number;

  @IsOptional()
  @IsDuration(LIMITS.sloWindowDays.min * 86_400_000, LIMITS.sloWindowDays.max * 86_400_000)
  @Matches(/^\d+d$/, { message: 'must be a whole number of days, e.g. "30d"' })
  window?: string;
}

const intRule = (min: number, max: number) => `must be an integer between ${min} and ${max}`;

/**
 * One monitored service as written in the services file and sent to the admin API (one schema, two doors).
 * Everything but id, name and url has a default.
 */
export class ServiceDefinitionDto {
  @IsString({ message: 'must be a string' })
  @Matches(LIMITS.idPattern, {
    message: 'must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit',
  })
  id!: string;

  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-100 characters' })
  @MaxLength(100, { message: 'must be 1-100 characters' })
  name!: string;

  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-60 characters' })
  @MaxLength(60, { message: 'must be 1-60 characters' })
  group?: string;

  @IsString({ message: 'must be a string' })
  @MaxLength(LIMITS.urlMaxLength, { message: `must be at most ${LIMITS.urlMaxLength} characters` })
  url!: string;

  @IsOptional()
  @IsIn(['GET', 'HEAD'], { message: 'must be GET or HEAD' })
  method?: 'GET' | 'HEAD';

  @IsOptional()
  @IsDuration(LIMITS.intervalMs.min, LIMITS.intervalMs.max, true)
  interval?: string;

  @IsOptional()
  @IsDuration(LIMITS.timeoutMs.min, LIMITS.timeoutMs.max)
  timeout?: string;

  @IsOptional()
  @IsInt({ message: intRule(LIMITS.latencyThresholdMs.min, LIMITS.latencyThresholdMs.max) })
  @Min(LIMITS.latencyThresholdMs.min, {
    message: intRule(LIMITS.latencyThresholdMs.min, LIMITS.latencyThresholdMs.max),
  })
  @Max(LIMITS.latencyThresholdMs.max, {
    message: intRule(LIMITS.latencyThresholdMs.min, LIMITS.latencyThresholdMs.max),
  })
  latencyThresholdMs?: number;

  @IsOptional()
  @IsInt({ message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  @Min(LIMITS.threshold.min, { message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  @Max(LIMITS.threshold.max, { message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  failureThreshold?: number;

  @IsOptional()
  @IsInt({ message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  @Min(LIMITS.threshold.min, { message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  @Max(LIMITS.threshold.max, { message: intRule(LIMITS.threshold.min, LIMITS.threshold.max) })
  recoveryThreshold?: number;

  @IsOptional()
  @IsStatusList()
  expectedStatus?: (number | string)[];

  @IsOptional()
  @ValidateNested()
  @Type(() => SloDto)
  slo?: SloDto;

  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  paused?: boolean;
}
