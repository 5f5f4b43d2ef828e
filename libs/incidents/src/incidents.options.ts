export const INCIDENT_OPTIONS = Symbol('INCIDENT_OPTIONS');

export interface IncidentOptions {
  /** Public URL of the status page, for links in alerts and feeds (no trailing slash). */
  publicBaseUrl: string;
  /** Re-alert while an automatic incident stays open; null = never. */
  reminderEveryMs: number | null;
  /** First retry delay of a failed delivery; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Stop retrying a delivery this long after it was queued (it is then marked failed and logged). */
  giveUpAfterMs: number;
  /** Incidents kept in memory and listed publicly. */
  historyDays: number;
}

export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = {
  publicBaseUrl: 'http://localhost:3000',
  reminderEveryMs: null,
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  giveUpAfterMs: 24 * 3_600_000,
  historyDays: 90,
};

export const NOTIFIERS = Symbol('NOTIFIERS');
