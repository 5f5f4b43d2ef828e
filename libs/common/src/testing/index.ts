/** Test support for specs. Never imported by production code (lint rule). */
export * from './fake-clock.js';
export * from './in-memory-audit-log.js';
export * from './settle.js';
export * from './seeded-random.js';
