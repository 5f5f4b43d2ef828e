import type { AdminService, AuditEntry, IncidentSummary, MaintenanceWindow } from '@app/contracts';

/** Builders for console specs; each states only what it is about. */
export function adminService(overrides: Partial<AdminService> = {}): AdminService {
  return {
    id: 'shop',
    name: 'Shop',
    group: null,
    kind: 'http',
    url: 'https://shop.example.com/health',
    method: 'GET',
    followRedirects: true,
    insecureTls: false,
    certExpiryWarningDays: 14,
    interval: '30s',
    timeout: '10s',
    latencyThresholdMs: null,
    failureThreshold: 3,
    recoveryThreshold: 2,
    expectedStatus: ['200-299'],
    slo: { target: 99.9, window: '30d' },
    degradedOpensIncident: false,
    paused: false,
    source: 'api',
    state: 'up',
    defaulted: ['group', 'timeout', 'latencyThresholdMs'],
    misconfigured: null,
    lastCheck: { at: '2026-11-27T09:00:00.000Z', ok: true, latencyMs: 42, statusCode: 200 },
    ...overrides,
  };
}

export function adminIncident(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 'inc-1',
    title: 'Checkout errors',
    status: 'investigating',
    impact: 'major',
    kind: 'manual',
    serviceIds: ['shop'],
    startedAt: '2026-11-27T08:00:00.000Z',
    resolvedAt: null,
    updates: [{ at: '2026-11-27T08:00:00.000Z', status: 'investigating', message: 'Looking into it.' }],
    ...overrides,
  };
}

export function maintenanceWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 'mnt-1',
    title: 'Database upgrade',
    serviceIds: ['shop'],
    startsAt: '2026-12-01T02:00:00.000Z',
    endsAt: '2026-12-01T03:00:00.000Z',
    message: 'Up to 10 minutes of errors.',
    ...overrides,
  };
}

export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'a-1',
    at: '2026-11-27T09:00:00.000Z',
    actor: '0123456789ab',
    action: 'service.update',
    targetType: 'service',
    targetId: 'shop',
    before: { name: 'Shop', interval: '30s' },
    after: { name: 'Shop', interval: '10s' },
    ...overrides,
  };
}

/** A fetch that answers from a list of canned responses and records every request. */
export class FakeFetch {
  readonly requests: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
  private readonly routes: { method: string; match: RegExp; respond: (body: unknown) => Response }[] = [];

  on(method: string, match: RegExp, respond: (body: unknown) => Response): this {
    this.routes.unshift({ method, match, respond });
    return this;
  }

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    this.requests.push({ url, method, headers: { ...(init?.headers as Record<string, string>) }, body });
    const route = this.routes.find((candidate) => candidate.method === method && candidate.match.test(url));
    if (!route) return json({ statusCode: 404, error: 'Not Found', message: `no fake for ${method} ${url}` }, 404);
    return route.respond(body);
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** sessionStorage stand-in that records every key written (to prove nothing else is stored). */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

/** Lets fetch promises, timers of 0 ms and the change detection they trigger run. */
export async function settle(fixture?: { whenStable(): Promise<unknown> }): Promise<void> {
  for (let round = 0; round < 6; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await fixture?.whenStable();
  }
}
