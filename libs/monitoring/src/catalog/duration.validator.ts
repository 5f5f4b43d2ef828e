import { ValidateBy, type ValidationOptions } from 'class-validator';
import { formatDuration, parseDuration } from './duration.js';

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
      // Read by the OpenAPI schema generator, so the documented range is the enforced one.
      constraints: [min, max, wholeSeconds],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > 32 || value.trim() !== value) return false;
          const ms = parseDuration(value);
          return ms !== null && ms >= min && ms <= max && (!wholeSeconds || ms % 1000 === 0);
        },
        defaultMessage: () => rule,
      },
    },
    options,
  );
}
