import { applyDecorators } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf } from 'class-validator';

/**
 * The null rule (README → "null"): `null` is never a value. A field is either absent (it takes its default) or
 * valid; the one documented exception — PATCH clearing `group` / `latencyThresholdMs` — is handled before
 * validation. Used by every request DTO and the services file.
 */
export const NULL_RULE = 'must not be null (leave the field out to get its default)';
/** Name of the constraint the null rule adds, so the flattener can show it alone. */
export const NOT_NULL = 'notNull';

/**
 * An optional field: absent (undefined) skips its other rules; `null` does not. class-validator's IsOptional
 * treats null as absent, which let `"interval": null` through to code that assumed a string — never use it.
 */
export function Optional(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: NOT_NULL,
      validator: { validate: (value: unknown) => value !== null, defaultMessage: () => NULL_RULE },
    }),
    ValidateIf((_object: object, value: unknown) => value !== undefined),
  );
}

/** An integer in [min, max], with the one error message a user sees for all three checks. */
export function IntInRange(min: number, max: number): PropertyDecorator {
  const message = `must be an integer between ${min} and ${max}`;
  return applyDecorators(IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

/** An optional integer in [min, max]. */
export function OptionalIntInRange(min: number, max: number): PropertyDecorator {
  return applyDecorators(Optional(), IntInRange(min, max));
}

/** A string of min..max characters: "must be 1-200 characters" (or "at most 5000" when any length from 0 will do). */
export function StringLength(min: number, max: number): PropertyDecorator {
  const message = min === 0 ? `must be at most ${max} characters` : `must be ${min}-${max} characters`;
  // Applied in the order stacked decorators would be (bottom up), so messages keep their order.
  return applyDecorators(
    MaxLength(max, { message }),
    ...(min === 0 ? [] : [MinLength(min, { message })]),
    IsString({ message: 'must be a string' }),
  );
}

/* eslint-disable no-control-regex -- these patterns exist to find control characters */
/** C0/C1 controls, DEL, line/paragraph separators and bidi embedding/override/isolate controls. */
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** The same, but line breaks (CR, LF) and tabs are text in a multi-line message. */
const MULTI_LINE_FORBIDDEN =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

function PlainText(multiLine: boolean, allowEmpty: boolean): PropertyDecorator {
  const forbidden = multiLine ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN;
  const controls = multiLine
    ? 'must not contain control characters (line breaks and tabs are fine)'
    : 'must not contain control characters or line breaks';
  return ValidateBy({
    name: multiLine ? 'multiLineText' : 'singleLineText',
    validator: {
      // "" is the length rule's to report ("must be 1-100 characters"); saying "only whitespace" too repeats it.
      validate: (value: unknown) =>
        typeof value !== 'string' || (!forbidden.test(value) && (allowEmpty || value === '' || value.trim() !== '')),
      defaultMessage: (args) =>
        typeof args?.value === 'string' && !forbidden.test(args.value) ? 'must not be only whitespace' : controls,
    },
  });
}

/**
 * Text shown on one line (names, groups, titles): min..max characters, not only whitespace, no control
 * characters, line breaks or bidi overrides — they would reach the page, Slack and e-mail subjects raw.
 */
export function SingleLineText(min: number, max: number): PropertyDecorator {
  return applyDecorators(PlainText(false, min === 0), StringLength(min, max));
}

/** Text that may span lines (incident and maintenance messages): as SingleLineText, but CR, LF and tab are kept. */
export function MultiLineText(min: number, max: number): PropertyDecorator {
  return applyDecorators(PlainText(true, min === 0), StringLength(min, max));
}

/** RFC 3339 date-time with seconds and a zone, e.g. 2026-12-01T02:00:00Z (what OpenAPI's "date-time" means). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** A date-time string as RFC 3339 writes it: date, time with seconds, and a zone — never just a date. */
export function IsDateTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isDateTime',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(Date.parse(value)),
      defaultMessage: () => 'must be an RFC 3339 date-time with a zone, e.g. 2026-12-01T02:00:00Z',
    },
  });
}
