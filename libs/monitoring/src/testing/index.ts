/** Test support for specs: one fake per port and the fixtures. Never imported by production code (lint rule). */
export * from './fake-active-incidents.js';
export * from './fake-monitor-view.js';
export * from './fake-prober.js';
export * from './in-memory-check-store.js';
export * from './in-memory-state-and-rollup-store.js';
export * from './maintenance-window.js';
export * from './monitored-service.js';
export * from './rollups.js';
export * from './in-memory-heartbeat-store.js';
export * from './fake-shard-leases.js';
export * from './in-memory-change-feed-store.js';
export * from './in-memory-coordination-store.js';
export * from './fake-cluster.js';
export * from './fake-timers.js';
export * from './stored-check.js';
export * from './in-memory-page-store.js';
