import type { CheckKind, ResolvedServiceDefinition } from '@app/contracts';

/** How the console names each check kind. */
export const KIND_LABELS: Record<CheckKind, string> = {
  http: 'HTTP',
  tcp: 'TCP',
  dns: 'DNS',
  heartbeat: 'Heartbeat',
};

/** What the marker next to a service with `insecureTls` says: the words carry it, not a colour. */
export const TLS_NOT_VERIFIED = 'TLS not verified';

/**
 * The service accepts any certificate (expired, self-signed, wrong host). Only the admin side shows it: a check
 * that passes with a bad certificate is a choice someone made, and whoever edits the service must see it.
 */
export function tlsNotVerified(service: Pick<ResolvedServiceDefinition, 'insecureTls'>): boolean {
  return service.insecureTls === true;
}
