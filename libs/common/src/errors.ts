import { formatFieldError, type FieldError } from './field-error.js';

/** A change that contradicts what exists (duplicate id, file-owned service, resolved incident): HTTP 409. */
export class ConflictError extends Error {}

/** The thing asked for does not exist: HTTP 404. */
export class NotFoundError extends Error {}

/** Bad user input: carries every field error; the API answers 400 with them, the boot path exits with them. */
export class InvalidInputError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map(formatFieldError).join('; '));
  }
}

/**
 * A startup problem whose message already says what is wrong and what to do (which table, which setting): the
 * process prints the message alone, without a stack trace, and exits non-zero.
 */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    // Nest's startup exception handler logs `stack` when there is one: here it would bury the message.
    this.stack = undefined;
  }
}
