import { inject, Injectable } from '@angular/core';
import type {
  AdminIdentity,
  AdminService,
  CreateIncidentRequest,
  EditIncidentRequest,
  HeartbeatTokenResponse,
  IncidentUpdateRequest,
  MaintenanceRequest,
  ApiError,
  AuditEntry,
  IncidentSummary,
  MaintenanceWindow,
  Page,
  ServiceDefinition,
  StatusResponse,
} from '@app/contracts';
import { FETCH } from '../../core/api/status-api';
import { APP_CONFIG } from '../../core/config/app-config';
import { AdminSession } from '../session/admin-session';

/** One problem the API found with a field: `{ path, value, rule }` from the error body's `details`. */
export type FieldProblem = NonNullable<ApiError['details']>[number];

/** A failed API call: the HTTP status (0 = unreachable), the API's error body when it sent one, and Retry-After. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | null,
    readonly retryAfterSeconds: number | null,
    fallback: string,
  ) {
    super(body?.message ?? fallback);
    this.name = 'AdminApiError';
  }

  get details(): readonly FieldProblem[] {
    return this.body?.details ?? [];
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function isApiError(value: unknown): value is ApiError {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Client of `/api/admin` (bearer token from the session) plus the two public reads the console shows next to it.
 * Every 401 on a signed-in call ends the session (the console goes back to sign-in with the server's reason) and
 * every 429 records the Retry-After wait, so no view has to handle either.
 */
@Injectable({ providedIn: 'root' })
export class AdminApi {
  private readonly fetchFn = inject(FETCH);
  private readonly baseUrl = inject(APP_CONFIG).apiBaseUrl;
  private readonly session = inject(AdminSession);

  /** Checks a token before keeping it: resolves when the API accepts it, throws AdminApiError (401/429) if not. */
  async verify(token: string): Promise<void> {
    await this.send<AdminIdentity>('GET', '/admin/whoami', undefined, token);
  }

  listServices(signal?: AbortSignal): Promise<AdminService[]> {
    return this.admin('GET', '/admin/services', undefined, signal);
  }

  getService(id: string, signal?: AbortSignal): Promise<AdminService> {
    return this.admin('GET', `/admin/services/${encodeURIComponent(id)}`, undefined, signal);
  }

  createService(definition: ServiceDefinition): Promise<AdminService> {
    return this.admin('POST', '/admin/services', definition);
  }

  replaceService(id: string, definition: ServiceDefinition): Promise<AdminService> {
    return this.admin('PUT', `/admin/services/${encodeURIComponent(id)}`, definition);
  }

  setPaused(id: string, paused: boolean): Promise<AdminService> {
    return this.admin('PATCH', `/admin/services/${encodeURIComponent(id)}`, { paused });
  }

  /** A new ping token for a heartbeat service; the old one stops working at once. */
  rotateHeartbeatToken(id: string): Promise<HeartbeatTokenResponse> {
    return this.admin('POST', `/admin/services/${encodeURIComponent(id)}/heartbeat-token`);
  }

  /** The absolute URL a job calls to ping a heartbeat service with `token`. */
  heartbeatUrl(token: string, base: string): string {
    return new URL(`${this.baseUrl}/heartbeat/${encodeURIComponent(token)}`, base).href;
  }

  deleteService(id: string): Promise<void> {
    return this.admin('DELETE', `/admin/services/${encodeURIComponent(id)}`);
  }

  createIncident(body: CreateIncidentRequest): Promise<IncidentSummary> {
    return this.admin('POST', '/admin/incidents', body);
  }

  postUpdate(id: string, body: IncidentUpdateRequest): Promise<IncidentSummary> {
    return this.admin('POST', `/admin/incidents/${encodeURIComponent(id)}/updates`, body);
  }

  editIncident(id: string, body: EditIncidentRequest): Promise<IncidentSummary> {
    return this.admin('PATCH', `/admin/incidents/${encodeURIComponent(id)}`, body);
  }

  listMaintenance(signal?: AbortSignal): Promise<MaintenanceWindow[]> {
    return this.admin('GET', '/admin/maintenance', undefined, signal);
  }

  scheduleMaintenance(body: MaintenanceRequest): Promise<MaintenanceWindow> {
    return this.admin('POST', '/admin/maintenance', body);
  }

  cancelMaintenance(id: string): Promise<void> {
    return this.admin('DELETE', `/admin/maintenance/${encodeURIComponent(id)}`);
  }

  audit(limit: number, cursor: string | null, signal?: AbortSignal): Promise<Page<AuditEntry>> {
    const query = `limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    return this.admin('GET', `/admin/audit?${query}`, undefined, signal);
  }

  /** Public: live state and last check of every service, active incidents, upcoming maintenance. */
  status(signal?: AbortSignal): Promise<StatusResponse> {
    return this.send('GET', '/status', undefined, null, signal);
  }

  /** Public: incident history, newest first. */
  incidents(limit: number, cursor: string | null, signal?: AbortSignal): Promise<Page<IncidentSummary>> {
    const query = `limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    return this.send('GET', `/incidents?${query}`, undefined, null, signal);
  }

  /** Public: one incident. */
  incident(id: string, signal?: AbortSignal): Promise<IncidentSummary> {
    return this.send('GET', `/incidents/${encodeURIComponent(id)}`, undefined, null, signal);
  }

  private async admin<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const token = this.session.token();
    if (token === null) throw new AdminApiError(401, null, null, 'not signed in');
    try {
      return await this.send<T>(method, path, body, token, signal);
    } catch (error) {
      // Only a signed-in call ends the session: a token that stopped working (rotated hash, restart with new
      // ADMIN_TOKEN_HASHES) sends the admin back to sign-in with the reason.
      if (error instanceof AdminApiError && error.status === 401 && this.session.token() === token) {
        this.session.expire(error.message);
      }
      throw error;
    }
  }

  private async send<T>(
    method: Method,
    path: string,
    body: unknown,
    token: string | null,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        cache: 'no-store',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new AdminApiError(0, null, null, `the API at ${this.baseUrl} could not be reached; check the connection`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (response.status === 429) this.session.rateLimited(retryAfter ?? 60);
      throw new AdminApiError(
        response.status,
        isApiError(parsed) ? parsed : null,
        retryAfter,
        `${method} ${path} answered HTTP ${response.status}`,
      );
    }
    return parsed as T;
  }
}
