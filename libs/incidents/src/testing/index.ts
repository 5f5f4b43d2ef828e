/** Test support for specs: one fake per port and the fixtures. Never imported by production code (lint rule). */
export * from './fixtures.js';
export * from './in-memory-incident-store.js';
export * from './in-memory-outbox-store.js';
export * from './recording-notifier.js';
export * from './world.js';
export * from './in-memory-certificate-alert-store.js';
