import { InjectionToken } from '@angular/core';

/** Deploy-time settings read from `config.json` next to index.html, so one build serves every environment. */
export interface AppConfig {
  /** Base URL of the API, same-origin `/api` by default (CloudFront routes `/api/*` to the ALB). */
  readonly apiBaseUrl: string;
  /** How often `/api/status` is polled. */
  readonly pollIntervalMs: number;
  /** How often the 90-day history and past incidents are refreshed (they also refresh when a state changes). */
  readonly historyIntervalMs: number;
  /** Ceiling of the exponential back-off after failed polls. */
  readonly maxBackoffMs: number;
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  apiBaseUrl: '/api',
  pollIntervalMs: 30_000,
  historyIntervalMs: 300_000,
  maxBackoffMs: 300_000,
};

export const APP_CONFIG = new InjectionToken<AppConfig>('APP_CONFIG', {
  providedIn: 'root',
  factory: () => DEFAULT_APP_CONFIG,
});

const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 3_600_000;

/**
 * Validates `config.json`; a bad key falls back to its default (with a warning naming the key, the value and what
 * is allowed) because a status page must still render when someone mistypes its config during an outage.
 */
export function parseAppConfig(raw: unknown, warn: (message: string) => void = () => undefined): AppConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    if (raw !== undefined) warn(`config.json: expected an object, got ${JSON.stringify(raw)}; using defaults`);
    return DEFAULT_APP_CONFIG;
  }
  const record = raw as Record<string, unknown>;
  const interval = (key: 'pollIntervalMs' | 'historyIntervalMs' | 'maxBackoffMs'): number => {
    const value = record[key];
    if (value === undefined) return DEFAULT_APP_CONFIG[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= MIN_INTERVAL_MS && value <= MAX_INTERVAL_MS) {
      return Math.round(value);
    }
    warn(
      `config.json: ${key} ${JSON.stringify(value)} must be a number of ms between ${MIN_INTERVAL_MS} and ${MAX_INTERVAL_MS}`,
    );
    return DEFAULT_APP_CONFIG[key];
  };
  let apiBaseUrl = DEFAULT_APP_CONFIG.apiBaseUrl;
  const base = record['apiBaseUrl'];
  if (typeof base === 'string' && base.trim() !== '') apiBaseUrl = base.trim().replace(/\/+$/, '');
  else if (base !== undefined) warn(`config.json: apiBaseUrl ${JSON.stringify(base)} must be a non-empty URL or path`);
  return {
    apiBaseUrl,
    pollIntervalMs: interval('pollIntervalMs'),
    historyIntervalMs: interval('historyIntervalMs'),
    maxBackoffMs: interval('maxBackoffMs'),
  };
}

/** Loads `config.json` relative to the document base; any failure means defaults, never a blank page. */
export async function loadAppConfig(fetchFn: typeof fetch, url = 'config.json'): Promise<AppConfig> {
  try {
    // Same request shape as the <link rel="preload"> in index.html so the browser reuses that response. Freshness
    // comes from the object's Cache-Control (deploy config.json with `no-cache`), not from a cache mode here.
    const response = await fetchFn(url);
    if (!response.ok) return DEFAULT_APP_CONFIG;
    return parseAppConfig(await response.json(), (message) => console.warn(message));
  } catch {
    return DEFAULT_APP_CONFIG;
  }
}
