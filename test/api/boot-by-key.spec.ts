import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DailyBar, ServiceDetailResponse } from '@app/contracts';
import { DEFAULT_KEYED_FROM_DAYS, DynamoStateAndRollupStore } from '@app/aws';
import { dayOf, FIRST_CHECKS_MS, type DailyRollup } from '@app/monitoring';
import { dayRollup } from '@app/monitoring/testing';
import { randomBytes } from 'node:crypto';
import { rawItem, testDynamo } from '../support/dynamo.js';
import { createTestApp, type TestApp } from '../support/in-process-app.js';

const DAY = 86_400_000;
const day = (offset: number) => dayOf(Date.now() + offset * DAY);

/**
 * The whole app booting on a settled history: each service's finished days read from its one stored copy (by key)
 * show the same 90 bars as the Scan of every day's item, and the boot really reads the copy.
 */
describe('the boot of a settled install reads each service`s copy of its finished days', () => {
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  const db = testDynamo(prefix);
  const ids = Array.from({ length: 10 }, (_, index) => `svc-${index}`);
  // Enough finished days (16 in each copy) for the boot to read by key (DEFAULT_KEYED_FROM_DAYS).
  const days = [day(-60), ...Array.from({ length: 15 }, (_, back) => day(-16 + back)), day(-1), day(0)];
  let t: TestApp | undefined;

  const yaml = `services:\n${ids.map((id) => `  - { id: ${id}, name: ${id}, url: "http://127.0.0.1:9/${id}", paused: true }`).join('\n')}\n`;
  const bars = async (): Promise<Map<string, DailyBar[]>> => {
    const out = new Map<string, DailyBar[]>();
    for (const id of ids) {
      const response = await t!.inject({ method: 'GET', url: `/api/services/${id}` });
      expect(response.statusCode).toBe(200);
      out.set(id, response.json<ServiceDetailResponse>().bars);
    }
    return out;
  };
  const withoutHours = (rollup: DailyRollup): DailyRollup => ({
    ...rollup,
    hourTotal: [],
    hourFailures: [],
    hourLatencySum: [],
  });

  beforeAll(async () => {
    await db.ready();
    const store = new DynamoStateAndRollupStore(db.client, db.names.state);
    for (const [index, id] of ids.entries()) {
      const rollups = days.map((d, at) => dayRollup(id, d, { checks: 4 + index + at, failures: (index + at) % 3 }));
      for (const rollup of rollups) await store.saveRollup(rollup, null, 1);
      // Every service but the last has its copy through the day before yesterday (the last is read by Query).
      if (index < ids.length - 1)
        await store.saveFinishedDays(
          id,
          rollups.filter((rollup) => rollup.day <= day(-2)).map(withoutHours),
          day(-2),
          1,
        );
    }
  });
  afterAll(async () => {
    await t?.close();
    db.destroy();
  });

  it('shows every day from the copy as from the items, and a day whose item is gone only from the copy', async () => {
    // svc-0's oldest day is left only in its copy.
    await db.client.send(
      new DeleteItemCommand({
        TableName: db.names.state,
        Key: { serviceId: { S: 'svc-0' }, key: { S: `day#${day(-60)}` } },
      }),
    );
    t = await createTestApp({ servicesYaml: yaml, tablePrefix: prefix });
    const byKey = await bars();
    await t.close();
    t = undefined;
    const shown = (of: DailyBar[] | undefined) => (of ?? []).filter((bar) => bar.checks > 0).map((bar) => bar.date);
    for (const id of ids) expect(shown(byKey.get(id))).toEqual(days);

    // The same install with the copies deleted: the boot Scans every item instead.
    for (const id of ids)
      await db.client.send(
        new DeleteItemCommand({ TableName: db.names.state, Key: { serviceId: { S: id }, key: { S: 'finished' } } }),
      );
    // Its process started a minute ago: the first checks' minute, which the copies wait for, is over.
    t = await createTestApp({ servicesYaml: yaml, tablePrefix: prefix, startedAt: Date.now() - FIRST_CHECKS_MS });
    const scanned = await bars();
    expect(shown(scanned.get('svc-0'))).toEqual(days.slice(1));
    for (const id of ids.slice(1)) expect(scanned.get(id)).toEqual(byKey.get(id));
    const [oldest] = days;
    expect(scanned.get('svc-0')?.filter((bar) => bar.date !== oldest)).toEqual(
      byKey.get('svc-0')?.filter((bar) => bar.date !== oldest),
    );
    expect(byKey.get('svc-0')?.find((bar) => bar.date === oldest)).toMatchObject({ checks: 4, failures: 0 });
    expect(DEFAULT_KEYED_FROM_DAYS).toBeLessThanOrEqual(16);
    // A boot without copies writes them (no check needed: a tick's flush), through the day before yesterday, once
    // the first checks' minute from the process start is over.
    const deadline = Date.now() + 10_000;
    const copied = async () => {
      while (Date.now() < deadline) {
        const copies = await Promise.all(
          ids.map((serviceId) => rawItem(db.client, db.names.state, { serviceId, key: 'finished' })),
        );
        if (copies.every((copy) => copy?.through !== undefined)) return copies.map((copy) => copy?.through);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return [];
    };
    expect(await copied()).toEqual(ids.map(() => day(-2)));
    await t.close();
    t = undefined;
    // Read back by key once more: svc-0's copy was made from what the boot read, without the deleted day.
    t = await createTestApp({ servicesYaml: yaml, tablePrefix: prefix });
    const again = await bars();
    for (const id of ids) expect(again.get(id)).toEqual(scanned.get(id));
  }, 60_000);
});
