export * from './audit.js';
export * from './clock.js';
export * from './decorators.js';
export * from './errors.js';
export * from './field-error.js';
export * from './secrets.js';
export * from './validation.js';
