export * from './aws.module.js';
export * from './dynamodb/tables.js';
export * from './dynamodb/ensure-tables.js';
export * from './dynamodb/embedded-dynamo.js';
export * from './adapters/dynamo-check.store.js';
export * from './adapters/dynamo-state.store.js';
export * from './adapters/dynamo-catalog.store.js';
export * from './adapters/dynamo-audit.log.js';
