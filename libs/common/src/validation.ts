import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { InvalidInputError } from './errors.js';
import { joinPath, type FieldError } from './field-error.js';
import { NULL_RULE } from './decorators.js';

/** Unknown fields are errors, never silently dropped. */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** What a missing required field breaks, whatever its type rules are. */
export const REQUIRED_RULE = 'is required';

/** Flattens class-validator's tree into path/value/rule triples, one per broken rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const path = joinPath(parent, error.property);
    const constraints = Object.entries(error.constraints ?? {});
    // The null rule: a null field is one problem ("must not be null"), not every type rule it also breaks.
    if (error.value === null && constraints.length > 0 && !('whitelistValidation' in (error.constraints ?? {}))) {
      out.push({ path, value: null, rule: NULL_RULE });
      continue;
    }
    // A required field that is absent is one problem ("is required"), not every type and length rule it breaks.
    if (error.value === undefined && constraints.length > 0 && !('whitelistValidation' in (error.constraints ?? {}))) {
      out.push({ path, value: undefined, rule: REQUIRED_RULE });
      continue;
    }
    // Decorators that share one message (an integer range checks type, min and max) say it once.
    const rules = new Set<string>();
    for (const [name, message] of constraints)
      rules.add(name === 'whitelistValidation' ? 'is not a known field' : message);
    for (const rule of rules) out.push({ path, value: error.value, rule });
    if (error.children && error.children.length > 0) out.push(...flattenValidationErrors(error.children, path));
  }
  return out;
}

/**
 * Validates a plain object against a DTO class; returns the instance or the field errors. Field paths start at
 * `path`; `whole` names the value itself when it is not an object at all.
 */
export function validateDto<T extends object>(
  cls: new () => T,
  plain: unknown,
  path = '',
  whole = path || '(body)',
): { value: T; errors: [] } | { value: null; errors: FieldError[] } {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { value: null, errors: [{ path: whole, value: plain, rule: 'must be an object' }] };
  }
  const instance = plainToInstance(cls, plain, { enableImplicitConversion: false });
  const errors = [
    ...inheritedKeyErrors(plain, path, 0),
    ...flattenValidationErrors(validateSync(instance, VALIDATOR_OPTIONS), path),
  ];
  return errors.length === 0 ? { value: instance, errors: [] } : { value: null, errors };
}

/** validateDto for a request body: the instance, or an InvalidInputError carrying every field error. */
export function parseDto<T extends object>(cls: new () => T, body: unknown): T {
  const result = validateDto(cls, body);
  if (result.value === null) throw new InvalidInputError(result.errors);
  return result.value;
}

/** Keys every object inherits ("toString", "constructor", ...): class-transformer drops them silently, so the
 * whitelist never sees them; refuse them like any other unknown field. */
const INHERITED_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

function inheritedKeyErrors(plain: unknown, parent: string, depth: number): FieldError[] {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain) || depth > 4) return [];
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(plain)) {
    const path = joinPath(parent, key);
    if (INHERITED_KEYS.has(key)) out.push({ path, value, rule: 'is not a known field' });
    else out.push(...inheritedKeyErrors(value, path, depth + 1));
  }
  return out;
}
