import type { StoredCheck } from '../ports.js';

/** A passing HTTP check of `serviceId` at `at`, as the check store keeps it. */
export const passingCheck = (serviceId: string, at: number): StoredCheck => ({
  serviceId,
  at,
  ok: true,
  latencyMs: 12,
  statusCode: 200,
  state: 'up',
  maintenance: false,
});
