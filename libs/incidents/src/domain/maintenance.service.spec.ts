import 'reflect-metadata';
import { InvalidInputError, NotFoundError } from '@app/common';
import { InMemoryAuditLog } from '@app/common/testing';
import { MaintenanceCache } from '@app/monitoring';
import { FakeClusterView, FakeMonitorView, monitoredService, testChangeFeed } from '@app/monitoring/testing';
import { SystemClock } from '@app/common';
import {
  INCIDENT_TEST_OPTIONS,
  InMemoryIncidentStore,
  InMemoryOutboxStore,
  RecordingNotifier,
} from '../testing/index.js';
import { MaintenanceService } from './maintenance.service.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('MaintenanceService', () => {
  const NOW = Date.UTC(2026, 11, 1, 0, 0);
  let store: InMemoryIncidentStore;
  let cache: MaintenanceCache;
  let audit: InMemoryAuditLog;
  let maintenance: MaintenanceService;
  let outbox: InMemoryOutboxStore;

  beforeEach(() => {
    outbox = new InMemoryOutboxStore();
    const dispatcher = new OutboxDispatcher(
      outbox,
      [new RecordingNotifier('sns'), new RecordingNotifier('subscribers', true)],
      INCIDENT_TEST_OPTIONS,
      new SystemClock(),
      new FakeClusterView(),
    );
    store = new InMemoryIncidentStore();
    cache = new MaintenanceCache();
    audit = new InMemoryAuditLog();
    const monitor = new FakeMonitorView();
    monitor.add(monitoredService('checkout'), 'up');
    maintenance = new MaintenanceService(
      store,
      monitor,
      cache,
      audit,
      testChangeFeed(),
      dispatcher,
      INCIDENT_TEST_OPTIONS,
    );
  });

  const at = (minutes: number) => new Date(NOW + minutes * MINUTE).toISOString();
  const window = (overrides: Record<string, unknown>) => ({
    title: 'Database upgrade',
    serviceIds: ['checkout'],
    startsAt: at(60),
    endsAt: at(120),
    message: 'Checkout may be unavailable for up to 10 minutes.',
    ...overrides,
  });

  async function rejected(body: unknown): Promise<InvalidInputError> {
    const error: unknown = await maintenance.create(body, 'alice', NOW).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(store.windows.size).toBe(0);
    expect(cache.all()).toEqual([]);
    return error as InvalidInputError;
  }

  it('stores a valid window, mirrors it in the cache and audits it', async () => {
    const created = await maintenance.create(window({}), 'alice', NOW);
    expect(created).toMatchObject({ serviceIds: ['checkout'], startsAt: at(60), endsAt: at(120) });
    expect(store.windows.get(created.id)).toEqual(created);
    expect(maintenance.list()).toEqual([created]);
    expect(cache.isInMaintenance('checkout', NOW + 90 * MINUTE)).toBe(true);
    expect(audit.records.map((record) => record.action)).toEqual(['maintenance.create']);
  });

  it.each([
    ['ends at its start', { endsAt: at(60) }, 'must be after startsAt'],
    ['ends before its start', { endsAt: at(30) }, 'must be after startsAt'],
    [
      'lasts more than 7 days',
      { endsAt: new Date(NOW + 60 * MINUTE + 7 * DAY + 1).toISOString() },
      'must be at most 7 days after startsAt',
    ],
    ['ends in the past', { startsAt: at(-120), endsAt: at(-60) }, 'must be in the future'],
  ])('rejects a window that %s, naming endsAt', async (_case, overrides, rule) => {
    const error = await rejected(window(overrides));
    expect(error.errors).toContainEqual({ path: 'endsAt', value: overrides.endsAt, rule });
  });

  it('rejects an unknown service id, naming serviceIds and the value', async () => {
    const error = await rejected(window({ serviceIds: ['checkout', 'ghost'] }));
    expect(error.errors).toEqual([{ path: 'serviceIds', value: 'ghost', rule: 'is not a monitored service id' }]);
  });

  it('rejects a malformed date, naming the field', async () => {
    const error = await rejected(window({ startsAt: 'tomorrow' }));
    expect(error.errors.map((fieldError) => fieldError.path)).toEqual(['startsAt']);
  });

  it('deletes a window, and answers NotFoundError for an unknown id', async () => {
    const created = await maintenance.create(window({}), 'alice', NOW);
    await maintenance.delete(created.id, 'alice');
    expect(store.windows.size).toBe(0);
    expect(cache.all()).toEqual([]);
    await expect(maintenance.delete(created.id, 'alice')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('announces a new window to subscribed visitors only (on-call is not paged for maintenance)', async () => {
    const created = await maintenance.create(window({}), 'alice', NOW);
    expect(outbox.ids()).toEqual([`${created.id}#scheduled#subscribers`]);
    expect(outbox.item(`${created.id}#scheduled#subscribers`)?.notification).toMatchObject({
      subject: 'maintenance',
      maintenanceId: created.id,
      transition: 'scheduled',
      serviceIds: ['checkout'],
      serviceNames: ['CHECKOUT'],
      startsAt: at(60),
      endsAt: at(120),
      url: 'https://status.example.com',
    });
  });

  it('tells visitors a window was cancelled when it is deleted before it ends, not after', async () => {
    const planned = await maintenance.create(window({}), 'alice', NOW);
    const over = await maintenance.create(window({ title: 'Old' }), 'alice', NOW);
    await maintenance.delete(planned.id, 'alice', NOW + 90 * MINUTE);
    await maintenance.delete(over.id, 'alice', NOW + 121 * MINUTE);
    expect(outbox.ids().filter((id) => id.includes('#cancelled#'))).toEqual([`${planned.id}#cancelled#subscribers`]);
  });
});
