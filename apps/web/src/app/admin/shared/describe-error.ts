import { AdminApiError } from '../api/admin-api';
import { formatClockTime } from './local-time';

/** One sentence for a failed request that is not about a single field (409, 404, network, 5xx). */
export function describeError(error: unknown, now = Date.now()): string {
  if (!(error instanceof AdminApiError)) return error instanceof Error ? error.message : 'The request failed.';
  switch (error.status) {
    case 0:
      return `The API could not be reached (${error.message}). Nothing was changed; try again.`;
    case 401:
      return `The API did not accept the admin token (HTTP 401: ${error.message}).`;
    case 404:
      return `Not found (HTTP 404): ${error.message}.`;
    case 409:
      return `Refused (HTTP 409): ${error.message}.`;
    case 429: {
      const seconds = error.retryAfterSeconds ?? 60;
      return `Too many failed sign-in attempts from this address (HTTP 429): the API refuses requests for ${seconds} s, until ${formatClockTime(now + seconds * 1000)}.`;
    }
    default:
      return `The API answered HTTP ${error.status}: ${error.message}.`;
  }
}
