import { Injectable, Logger } from '@nestjs/common';
import type { MonitoredService } from '../catalog/service-definition.js';
import { HeartbeatStore, type HeartbeatPing } from '../ports.js';
import { parseHeartbeatToken } from './heartbeat-token.js';

const MESSAGE_MAX = 200;

/** A ping's message as stored and shown: one line, no control characters, at most 200 characters. */
export function cleanMessage(message: string | undefined): string | null {
  if (message === undefined) return null;
  const text = message
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return text === '' ? null : text.slice(0, MESSAGE_MAX);
}

/**
 * Heartbeat (push) services: records pings (from any replica: one conditional write on the service's item) and
 * keeps the stored token hashes in step with the catalog. The runner's HeartbeatProber reads the last ping.
 */
@Injectable()
export class HeartbeatService {
  private readonly logger = new Logger('Heartbeat');

  constructor(private readonly store: HeartbeatStore) {}

  /** Records a ping; false when the token is not the current token of a heartbeat service. */
  async ping(token: string, ping: Omit<HeartbeatPing, 'message'> & { message?: string }): Promise<boolean> {
    const parsed = parseHeartbeatToken(token);
    if (!parsed) return false;
    return this.store.recordPing(parsed.serviceId, parsed.tokenHash, {
      at: ping.at,
      status: ping.status,
      message: cleanMessage(ping.message),
    });
  }

  /** Makes the stored token hash of every heartbeat service the catalog's (at boot; idempotent). */
  async sync(services: MonitoredService[], now = Date.now()): Promise<void> {
    for (const service of services) {
      if (service.check.kind !== 'heartbeat') continue;
      await this.store
        .setToken(service.id, service.check.tokenHash, now)
        .catch((error: unknown) =>
          this.logger.error(`storing the heartbeat token of ${JSON.stringify(service.id)} failed: ${String(error)}`),
        );
    }
  }

  setToken(serviceId: string, tokenHash: string, now = Date.now()): Promise<void> {
    return this.store.setToken(serviceId, tokenHash, now);
  }
}
