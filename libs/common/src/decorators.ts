import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** An integer in [min, max], with the one error message a user sees for all three checks. */
export function IntInRange(min: number, max: number): PropertyDecorator {
  const message = `must be an integer between ${min} and ${max}`;
  return applyDecorators(IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

/** An optional integer in [min, max]. */
export function OptionalIntInRange(min: number, max: number): PropertyDecorator {
  return applyDecorators(IsOptional(), IntInRange(min, max));
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
