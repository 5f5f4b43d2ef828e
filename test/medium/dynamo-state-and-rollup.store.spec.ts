import 'reflect-metadata';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_KEYED_FROM_DAYS, DEFAULT_ROLLUP_RETENTION_DAYS, DynamoStateAndRollupStore } from '@app/aws';
import {
  RollupWriter,
  StateWriter,
  dayOf,
  foldCheck,
  storedRollups,
  type EvaluationState,
  type RollupSlot,
} from '@app/monitoring';
import { FinishedDays } from '../../libs/monitoring/src/history/finished-days.js';
import { dayRollup } from '@app/monitoring/testing';
import {
  dynamoClient,
  rawItem,
  recordCommands,
  testDynamo,
  throttleBatchGets,
  throttleBatchWrites,
} from '../support/dynamo.js';

describe('DynamoStateAndRollupStore against DynamoDB (dynalite)', () => {
  const { client, names, ready, destroy } = testDynamo('medium-state-');
  const store = new DynamoStateAndRollupStore(client, names.state);
  const sent = recordCommands(client);

  const down: EvaluationState = {
    state: 'down',
    since: Date.UTC(2026, 0, 10, 12),
    failStreak: 3,
    badStreak: 3,
    okStreak: 0,
    fastStreak: 0,
  };

  /** A rollup with `checks` checks in hour 9 of the day, the first `failures` of them failed. */
  const rollup = (serviceId: string, day: string, checks = 3, failures = 1) =>
    dayRollup(serviceId, day, { checks, failures });

  const rawRollup = (serviceId: string, day: string) => rawItem(client, names.state, { serviceId, key: `day#${day}` });

  beforeAll(ready);
  afterAll(destroy);

  describe('evaluation state', () => {
    it('loads nothing for a service never saved', async () => {
      expect(await store.load('never', '2026-01-01')).toEqual({ state: null, rollups: [] });
    });

    it('round trips the state with its streak counters', async () => {
      await store.saveState('roundtrip', down, 1);
      expect((await store.load('roundtrip', '2026-01-01')).state).toEqual(down);
    });

    it('round trips a null since (never checked)', async () => {
      const unknown: EvaluationState = { ...down, state: 'unknown', since: null, failStreak: 2, badStreak: 2 };
      await store.saveState('unknown', unknown, 1);
      expect((await store.load('unknown', '2026-01-01')).state).toEqual(unknown);
    });

    it('replaces the previous state', async () => {
      await store.saveState('replaced', down, 1);
      const up: EvaluationState = {
        state: 'up',
        since: down.since! + 60_000,
        failStreak: 0,
        badStreak: 0,
        okStreak: 2,
        fastStreak: 2,
      };
      await store.saveState('replaced', up, 1);
      expect((await store.load('replaced', '2026-01-01')).state).toEqual(up);
    });
  });

  describe('rollups', () => {
    it('loads the rollups from the given day on together with the state item (without a copy of the finished days: the last days, then all)', async () => {
      for (const day of ['2025-12-31', '2026-01-01', '2026-01-15', '2026-01-31'])
        expect(await store.saveRollup(rollup('loaded', day), null, 1)).toBe('saved');
      await store.saveState('loaded', down, 1);
      await store.saveRollup(rollup('loaded-other', '2026-01-20'), null, 1);

      sent.length = 0;
      const { state, rollups } = await store.load('loaded', '2026-01-01');
      expect(sent).toEqual(['QueryCommand', 'QueryCommand']);
      // From the last few days on: one Query.
      await store.saveRollup(rollup('loaded', dayOf(Date.now())), null, 1);
      sent.length = 0;
      expect((await store.load('loaded', dayOf(Date.now() - 86_400_000))).rollups).toHaveLength(1);
      expect(sent).toEqual(['QueryCommand']);
      expect(state).toEqual(down);
      expect(rollups.map((r) => r.day)).toEqual(['2026-01-01', '2026-01-15', '2026-01-31']);
      expect(rollups[1]).toEqual(rollup('loaded', '2026-01-15'));
    });

    it('round trips every counter, including the 24 hour slots', async () => {
      const full = rollup('counters', '2026-02-01', 7, 3);
      foldCheck(full, { at: Date.parse('2026-02-01T23:30:00Z'), ok: false, latencyMs: 1, maintenance: false });
      foldCheck(full, { at: Date.parse('2026-02-01T23:31:00Z'), ok: true, latencyMs: 1, maintenance: true });
      await store.saveRollup(full, null, 1);
      const [back] = (await store.load('counters', '2026-02-01')).rollups;
      expect(back).toEqual(full);
      expect(back?.hourTotal).toHaveLength(24);
    });

    it('writes a new rollup only when none exists (expectedThrough null)', async () => {
      const first = rollup('cond-new', '2026-01-10', 3, 0);
      expect(await store.saveRollup(first, null, 1)).toBe('saved');
      const second = rollup('cond-new', '2026-01-10', 5, 5);
      expect(await store.saveRollup(second, null, 1)).toBe('conflict');
      expect((await store.load('cond-new', '2026-01-10')).rollups).toEqual([first]);
    });

    it('refuses an update from a writer holding a stale `through`, leaving the stored item unchanged', async () => {
      const stored = rollup('cond-stale', '2026-01-10', 3, 0);
      await store.saveRollup(stored, null, 1);
      const before = await rawRollup('cond-stale', '2026-01-10');

      const newer = rollup('cond-stale', '2026-01-10', 6, 1);
      expect(await store.saveRollup(newer, stored.through - 1000, 1)).toBe('conflict');
      expect(await rawRollup('cond-stale', '2026-01-10')).toEqual(before);
    });

    it('accepts an update from the writer holding the stored `through`', async () => {
      const stored = rollup('cond-ok', '2026-01-10', 3, 0);
      await store.saveRollup(stored, null, 1);
      const newer = rollup('cond-ok', '2026-01-10', 6, 1);
      expect(await store.saveRollup(newer, stored.through, 1)).toBe('saved');
      expect((await store.load('cond-ok', '2026-01-10')).rollups).toEqual([newer]);
      // ... and only once: the old `through` no longer matches
      expect(await store.saveRollup(rollup('cond-ok', '2026-01-10', 9, 9), stored.through, 1)).toBe('conflict');
    });

    it('refuses an update of a rollup that does not exist yet', async () => {
      expect(await store.saveRollup(rollup('cond-missing', '2026-01-10'), 12345, 1)).toBe('conflict');
      expect((await store.load('cond-missing', '2026-01-01')).rollups).toEqual([]);
    });

    it('stores rollups with an expiry 100 days after their day, or as many as configured', async () => {
      await store.saveRollup(rollup('expiry', '2026-01-10'), null, 1);
      expect((await rawRollup('expiry', '2026-01-10'))?.expiresAt).toBe(Date.UTC(2026, 0, 10) / 1000 + 100 * 86_400);
      const yearly = new DynamoStateAndRollupStore(client, names.state, 400);
      await yearly.saveRollup(rollup('expiry-yearly', '2026-01-10'), null, 1);
      expect((await rawRollup('expiry-yearly', '2026-01-10'))?.expiresAt).toBe(
        Date.UTC(2026, 0, 10) / 1000 + 400 * 86_400,
      );
    });
  });

  describe('fencing epochs (shard ownership between replicas)', () => {
    it("stamps the writer's epoch on the state and refuses a write carrying an older one", async () => {
      await store.saveState('fenced-state', down, 4);
      expect((await rawItem(client, names.state, { serviceId: 'fenced-state', key: 'state' }))?.epoch).toBe(4);
      const up: EvaluationState = { ...down, state: 'up', failStreak: 0, badStreak: 0, okStreak: 2, fastStreak: 2 };
      expect(await store.saveState('fenced-state', up, 3)).toBe(false);
      expect((await store.load('fenced-state', '2026-01-01')).state).toEqual(down);
      expect(await store.saveState('fenced-state', up, 5)).toBe(true);
      expect((await store.load('fenced-state', '2026-01-01')).state).toEqual(up);
    });

    it('fence() makes every later write of an older owner fail, and reads back as nothing stored', async () => {
      expect(await store.fence('taken', ['2026-01-10'], 8)).toEqual({ state: null, rollups: [] });
      expect(await store.load('taken', '2026-01-01')).toEqual({ state: null, rollups: [] });
      // the former owner (epoch 7), paused before the takeover, resumes and writes:
      expect(await store.saveState('taken', down, 7)).toBe(false);
      expect(await store.saveRollup(rollup('taken', '2026-01-10'), null, 7)).toBe('fenced');
      // the new owner writes into the stamped (empty) items:
      expect(await store.saveState('taken', down, 8)).toBe(true);
      expect(await store.saveRollup(rollup('taken', '2026-01-10'), null, 8)).toBe('saved');
      expect((await store.load('taken', '2026-01-01')).rollups).toEqual([rollup('taken', '2026-01-10')]);
      // and a fence with an older epoch is refused
      expect(await store.fence('taken', ['2026-01-10'], 6)).toBeNull();
    });

    it('fence() returns the state and the whole rollups of the days it stamps, as it stamped them', async () => {
      await store.saveState('stamped', down, 4);
      for (const day of ['2026-01-08', '2026-01-09', '2026-01-10', '2026-01-11'])
        expect(await store.saveRollup(rollup('stamped', day, 5, 2), null, 4)).toBe('saved');

      const fenced = await store.fence('stamped', ['2026-01-09', '2026-01-10'], 5);

      // the other days are neither returned nor stamped: an older owner's late write of one is not refused
      expect(fenced).toEqual({
        state: down,
        rollups: [rollup('stamped', '2026-01-09', 5, 2), rollup('stamped', '2026-01-10', 5, 2)],
      });
      expect(fenced?.rollups[1]?.hourTotal).toHaveLength(24);
      expect((await rawRollup('stamped', '2026-01-09'))?.epoch).toBe(5);
      expect((await rawRollup('stamped', '2026-01-08'))?.epoch).toBe(4);
      expect((await rawRollup('stamped', '2026-01-11'))?.epoch).toBe(4);
      expect(
        await store.saveRollup(rollup('stamped', '2026-01-09', 6, 2), rollup('stamped', '2026-01-09').through, 4),
      ).toBe('fenced');
    });

    it('fence() gives the stub of a day without a rollup the expiry its rollup would have, and keeps an expiry set', async () => {
      const expiresAt = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000 + DEFAULT_ROLLUP_RETENTION_DAYS * 86_400;
      await store.saveRollup(rollup('stub-expiry', '2026-02-01'), null, 1);
      const stored = (await rawRollup('stub-expiry', '2026-02-01'))?.expiresAt;

      expect(await store.fence('stub-expiry', ['2026-02-01', '2026-02-02'], 2)).toEqual({
        state: null,
        rollups: [rollup('stub-expiry', '2026-02-01')],
      });

      expect((await rawRollup('stub-expiry', '2026-02-02'))?.expiresAt).toBe(expiresAt('2026-02-02'));
      expect((await rawRollup('stub-expiry', '2026-02-01'))?.expiresAt).toBe(stored);
      expect(
        (await rawItem(client, names.state, { serviceId: 'stub-expiry', key: 'state' }))?.expiresAt,
      ).toBeUndefined();
    });

    it('fence() refused on one item returns null (a newer owner)', async () => {
      await store.fence('newer', ['2026-01-10'], 9);
      expect(await store.fence('newer', ['2026-01-11'], 8)).toBeNull(); // the state item has 9
    });

    it('tells a lost `through` race (conflict) from a takeover (fenced)', async () => {
      const stored = rollup('race', '2026-01-10', 3, 0);
      await store.saveRollup(stored, null, 2);
      expect(await store.saveRollup(rollup('race', '2026-01-10', 4, 0), stored.through - 1, 2)).toBe('conflict');
      await store.fence('race', ['2026-01-10'], 3);
      expect(await store.saveRollup(rollup('race', '2026-01-10', 4, 0), stored.through, 2)).toBe('fenced');
    });
  });

  describe('loading every service at boot (loadAll)', () => {
    it('returns each service`s state and rollups from the given day on, as load() does, from Scans only', async () => {
      const ids = Array.from({ length: 40 }, (_, index) => `boot-${String(index).padStart(2, '0')}`);
      for (const [index, id] of ids.entries()) {
        if (index % 4 !== 3) await store.saveState(id, { ...down, failStreak: index }, 1);
        for (const day of ['2025-11-30', '2026-03-01', '2026-03-02'])
          if (index % 5 !== 4 || day === '2025-11-30') await store.saveRollup(rollup(id, day, 3 + index), null, 1);
      }
      // A fence stub (key and epoch only) of a service that never stored anything reads as nothing stored.
      await store.fence('boot-stub', ['2026-03-02'], 2);

      sent.length = 0;
      const all = await store.loadAll('2026-03-01');
      expect(new Set(sent)).toEqual(new Set(['ScanCommand']));
      expect(sent.length).toBeLessThan(10);
      expect(all.has('boot-stub')).toBe(false);
      for (const id of ids) {
        const one = await store.load(id, '2026-03-01');
        if (one.state === null && one.rollups.length === 0) expect(all.has(id)).toBe(false);
        else expect(all.get(id)).toEqual(one);
      }
      // every fourth has no state but rollups; every fifth only a rollup older than the window (absent)
      expect(all.get('boot-03')).toEqual({
        state: null,
        rollups: [rollup('boot-03', '2026-03-01', 6), rollup('boot-03', '2026-03-02', 6)],
      });
      expect(all.get('boot-04')).toEqual({ state: { ...down, failStreak: 4 }, rollups: [] });
      expect(all.get('boot-00')?.rollups.map((r) => r.day)).toEqual(['2026-03-01', '2026-03-02']);
    });

    describe('without hour slots (boot), and the recent days whole by key (loadRollups)', () => {
      const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04'];
      const ids = Array.from({ length: 130 }, (_, index) => `hours-${String(index).padStart(3, '0')}`);
      const withoutHours = (stored: ReturnType<typeof rollup>) => ({
        ...stored,
        hourTotal: [],
        hourFailures: [],
        hourLatencySum: [],
      });
      const recentKeys = ids.flatMap((serviceId) => ['2026-04-03', '2026-04-04'].map((day) => ({ serviceId, day })));

      beforeAll(async () => {
        for (const [index, id] of ids.entries()) {
          if (index % 7 !== 6) await store.saveState(id, { ...down, failStreak: index % 3 }, 1);
          // every fifth has no rollup of the last day
          for (const day of days)
            if (index % 5 !== 4 || day !== '2026-04-04')
              await store.saveRollup(rollup(id, day, 2 + (index % 9)), null, 1);
        }
      });

      it('reads every state and rollup as load() does, but the rollups without their hour slots', async () => {
        const all = await store.loadAll('2026-04-02', false);
        for (const id of ids) {
          const one = await store.load(id, '2026-04-02');
          expect(all.get(id)).toEqual({ state: one.state, rollups: one.rollups.map(withoutHours) });
        }
        expect(all.get('hours-004')?.rollups.map((stored) => stored.day)).toEqual(['2026-04-02', '2026-04-03']);
        expect(all.get('hours-006')?.state).toBeNull();
      });

      it('reads the Scan page by page as the pages come (here 7 items a page), losing and repeating nothing', async () => {
        const paged = dynamoClient();
        const pages = recordCommands(paged);
        paged.middlewareStack.add(
          (next, context) => (args) => {
            if (context.commandName === 'ScanCommand') (args.input as { Limit?: number }).Limit = 7;
            return next(args);
          },
          { step: 'initialize' },
        );
        const all = await new DynamoStateAndRollupStore(paged, names.state).loadAll('2026-04-02', false);
        expect(pages.length).toBeGreaterThan(60);
        expect(all).toEqual(await store.loadAll('2026-04-02', false));
        expect(all.get('hours-000')?.rollups.map((stored) => stored.day)).toEqual(days.slice(1));
        paged.destroy();
      });

      it('reads the rollups of given services and days whole, one BatchGetItem per 100 keys, absent ones left out', async () => {
        sent.length = 0;
        const whole = await store.loadRollups(recentKeys);
        expect(sent).toEqual(new Array(Math.ceil(recentKeys.length / 100)).fill('BatchGetItemCommand'));
        // every fifth service has no rollup of 2026-04-04
        expect(whole).toHaveLength(recentKeys.length - ids.filter((_, index) => index % 5 === 4).length);
        for (const id of ids) {
          const one = await store.load(id, '2026-04-03');
          expect(whole.filter((stored) => stored.serviceId === id).sort((a, b) => a.day.localeCompare(b.day))).toEqual(
            one.rollups,
          );
        }
      });

      it('asks again for the keys DynamoDB hands back unprocessed, losing none', async () => {
        const throttledClient = dynamoClient();
        const throttled = new DynamoStateAndRollupStore(throttledClient, names.state);
        const counter = throttleBatchGets(throttledClient, 3);

        const whole = await throttled.loadRollups(recentKeys);

        expect(counter.throttled).toBe(3);
        const byKey = (list: ReturnType<typeof rollup>[]) =>
          new Map(list.map((stored) => [`${stored.serviceId}/${stored.day}`, stored]));
        expect(byKey(whole)).toEqual(byKey(await store.loadRollups(recentKeys)));
        expect(whole.length).toBeGreaterThan(200);
        throttledClient.destroy();
      });
    });
  });

  describe('the copy of the finished days, and the boot by key (loadAll with the catalog`s ids)', () => {
    const DAY = 86_400_000;
    const day = (offset: number) => dayOf(Date.now() + offset * DAY);
    const fromDay = day(-89);
    const finishedDays = [day(-95), day(-40), day(-3), day(-2)];
    const recentDays = [day(-1), day(0)];
    const ids = Array.from({ length: 40 }, (_, index) => `copy-${String(index).padStart(2, '0')}`);
    // These copies hold 3 days: reading by key from 1 day on (the default's threshold is its own test below).
    const keyed = new DynamoStateAndRollupStore(client, names.state, undefined, 1);
    const withoutHours = (stored: ReturnType<typeof rollup>) => ({
      ...stored,
      hourTotal: [],
      hourFailures: [],
      hourLatencySum: [],
    });
    const stored = (id: string, index: number) =>
      [...finishedDays, ...recentDays].map((d) => rollup(id, d, 2 + (index % 7), index % 3));

    beforeAll(async () => {
      for (const [index, id] of ids.entries()) {
        await store.saveState(id, { ...down, failStreak: index }, 1);
        for (const one of stored(id, index)) await store.saveRollup(one, null, 1);
        // The copy: the stored days before yesterday, as the writer makes it (no hour slots; any day of the history).
        const copied = stored(id, index)
          .filter((one) => one.day <= day(-2))
          .map(withoutHours);
        expect(await store.saveFinishedDays(id, copied, day(-2), 1)).toBe(true);
      }
    });

    it('reads the state, the copy and the days after it by key, with no Scan: what the Scan reads, day for day', async () => {
      const scanned = await store.loadAll(fromDay, false);
      sent.length = 0;
      const byKey = await keyed.loadAll(fromDay, false, ids);
      expect(new Set(sent)).toEqual(new Set(['BatchGetItemCommand']));
      // One sample (all 40 services: their copies are kept, not read again), then 40 × (state + yesterday, today,
      // tomorrow) keys in two requests.
      expect(sent).toHaveLength(3);
      for (const id of ids) {
        const one = scanned.get(id);
        expect(one?.rollups.map((r) => r.day)).toEqual([day(-40), day(-3), day(-2), ...recentDays]);
        // The days after the copy come whole (hour slots and all); the copied ones as the Scan reads them.
        const got = byKey.get(id);
        if (got === undefined) throw new Error(`${id} not read by key`);
        expect(got.finishedThrough).toBe(day(-2));
        expect(got.state).toEqual(one?.state);
        expect(storedRollups(got).map(withoutHours)).toEqual(one?.rollups);
        expect(got.rollups.at(-1)).toEqual((await store.load(id, day(0))).rollups[0]);
        // The copy's days are not held as objects: only the days after the copy are; each call decodes anew.
        expect(got.rollups.map((r) => r.day)).toEqual(recentDays);
        expect(got.finishedRollups?.()).toEqual(got.finishedRollups?.());
        expect(got.finishedRollups?.()[0]).not.toBe(got.finishedRollups?.()[0]);
      }
    });

    it('load(): one Query of the last days, which meets the copy and the state, standing for all the days', async () => {
      for (const id of ['copy-01', 'copy-02']) {
        const scanned = (await store.loadAll(fromDay, false)).get(id);
        sent.length = 0;
        const one = await store.load(id, fromDay);
        expect(sent).toEqual(['QueryCommand']);
        expect(one.finishedThrough).toBe(day(-2));
        expect(one.state).toEqual(scanned?.state);
        expect(one.rollups.map(withoutHours)).toEqual(scanned?.rollups);
      }
    });

    it('reads each day once when the history begins on the copy`s last day or after it', async () => {
      for (const from of [day(-2), day(-1)]) {
        const byKey = await keyed.loadAll(from, false, ids);
        const scanned = await store.loadAll(from, false);
        const got = byKey.get('copy-00');
        if (got === undefined) throw new Error('copy-00 not read by key');
        expect(storedRollups(got).map((r) => r.day)).toEqual([day(-2), ...recentDays].filter((d) => d >= from));
        expect(storedRollups(got).map(withoutHours)).toEqual(scanned.get('copy-00')?.rollups);
      }
    });

    it('takes the finished days from the copy, not from their items', async () => {
      await client.send(
        new DeleteItemCommand({
          TableName: names.state,
          Key: { serviceId: { S: 'copy-05' }, key: { S: `day#${day(-40)}` } },
        }),
      );
      const byKey = await keyed.loadAll(fromDay, false, ids);
      const got = byKey.get('copy-05');
      if (got === undefined) throw new Error('copy-05 not read by key');
      expect(storedRollups(got).map((r) => r.day)).toContain(day(-40));
      expect((await store.loadAll(fromDay, false)).get('copy-05')?.rollups.map((r) => r.day)).not.toContain(day(-40));
      await store.saveRollup(rollup('copy-05', day(-40), 2 + 5, 5 % 3), null, 1);
    });

    it('reads a service without a copy (new, or its copy dropped) by Query, and one never stored as absent', async () => {
      await store.saveState('copy-none', down, 1);
      await store.saveRollup(rollup('copy-none', day(-3)), null, 1);
      await store.saveRollup(rollup('copy-none', day(0)), null, 1);
      expect(await store.dropFinishedDays('copy-07', 2)).toBe(true);
      sent.length = 0;
      const byKey = await keyed.loadAll(fromDay, false, [...ids, 'copy-none', 'copy-never']);
      expect(sent.filter((name) => name === 'QueryCommand')).toHaveLength(3);
      expect(sent).not.toContain('ScanCommand');
      for (const id of ['copy-none', 'copy-07']) {
        const one = await store.load(id, fromDay);
        // (Whole: the store may leave the hour slots unread, not must.)
        expect(byKey.get(id)).toEqual(one);
      }
      expect(byKey.has('copy-never')).toBe(false);
    });

    it('reads by key the copies of more services than its sample: the sampled ones from the sample, the rest after', async () => {
      const many = Array.from({ length: 130 }, (_, index) => `many-${String(index).padStart(3, '0')}`);
      for (const [index, id] of many.entries()) {
        await store.saveState(id, { ...down, failStreak: index }, 1);
        const copied = stored(id, index)
          .filter((one) => one.day <= day(-2))
          .map(withoutHours);
        expect(await store.saveFinishedDays(id, copied, day(-2), 1)).toBe(true);
      }
      const byKey = await keyed.loadAll(fromDay, false, many);
      for (const [index, id] of many.entries()) {
        const got = byKey.get(id);
        expect(got?.finishedThrough).toBe(day(-2));
        expect(got?.state?.failStreak).toBe(index);
        expect(got?.finishedRollups?.().map((r) => r.day)).toEqual([day(-40), day(-3), day(-2)]);
      }
    });

    it('a dropped copy keeps its epoch: an older owner cannot write it back, the owner can', async () => {
      expect(await store.saveFinishedDays('copy-07', [], day(-2), 1)).toBe(false);
      // A stub: its key, the epoch and the expiry it was written with.
      const stub = await rawItem(client, names.state, { serviceId: 'copy-07', key: 'finished' });
      expect(Object.keys(stub ?? {}).sort()).toEqual(['epoch', 'expiresAt', 'key', 'serviceId']);
      expect(stub?.epoch).toBe(2);
      expect(await store.dropFinishedDays('copy-07', 1)).toBe(false);
      const copied = stored('copy-07', 7)
        .filter((one) => one.day <= day(-2))
        .map(withoutHours);
      expect(await store.saveFinishedDays('copy-07', copied, day(-2), 2)).toBe(true);
      expect((await keyed.loadAll(fromDay, false, ids)).get('copy-07')?.finishedThrough).toBe(day(-2));
    });

    it('reads a damaged copy as none (by Query)', async () => {
      await client.send(
        new PutItemCommand({
          TableName: names.state,
          Item: {
            serviceId: { S: 'copy-09' },
            key: { S: 'finished' },
            through: { S: day(-2) },
            days: { S: '[["not a day",1,0,0,1,1,1,""]]' },
            epoch: { N: '1' },
          },
        }),
      );
      const byKey = await keyed.loadAll(fromDay, false, ids);
      expect(byKey.get('copy-09')).toEqual(await store.load('copy-09', fromDay));
      expect(byKey.get('copy-09')?.finishedThrough).toBeUndefined(); // so its owner writes it again
    });

    it(`Scans as before when the sampled copies hold fewer than ${DEFAULT_KEYED_FROM_DAYS} days on average (a young install)`, async () => {
      sent.length = 0;
      const all = await store.loadAll(fromDay, false, ids);
      expect(sent).toContain('ScanCommand');
      // Day by day, and the copy's `through` with them (so the writer does not write it again)
      expect(all.get('copy-00')?.finishedRollups).toBeUndefined();
      expect(all.get('copy-00')?.finishedThrough).toBe(day(-2));
    });

    it('Scans as before when fewer than 90 % of a sample of the services have a copy', async () => {
      const others = Array.from({ length: 30 }, (_, index) => `copyless-${index}`);
      for (const id of others) await store.saveState(id, down, 1);
      sent.length = 0;
      const all = await keyed.loadAll(fromDay, false, [...ids, ...others]);
      expect(sent).toContain('ScanCommand');
      expect(all.get('copy-00')?.finishedRollups).toBeUndefined();
      expect(all.get('copy-00')?.finishedThrough).toBe(day(-2));
      expect(all.get('copyless-3')?.state).toEqual(down);
      expect(all.get('copyless-3')?.finishedThrough).toBeUndefined();
      // With hour slots asked for, always the Scan (the copy has none).
      sent.length = 0;
      await store.loadAll(fromDay, true, ids);
      expect(sent).toContain('ScanCommand');
    });

    it('is deleted with the service', async () => {
      await store.remove('copy-11');
      expect(await rawItem(client, names.state, { serviceId: 'copy-11', key: 'finished' })).toBeNull();
      expect((await keyed.loadAll(fromDay, false, ids)).has('copy-11')).toBe(false);
    });
  });

  describe('the clean-stop record', () => {
    it('is read and deleted in one request: the time once, then null', async () => {
      expect(await store.takeCleanStop()).toBeNull();
      await store.markCleanStop(Date.UTC(2026, 0, 31, 12));
      expect(await store.takeCleanStop()).toBe(Date.UTC(2026, 0, 31, 12));
      expect(await store.takeCleanStop()).toBeNull();
    });

    it('is never read as a service by the boot pass', async () => {
      await store.saveState('beside-the-record', down, 1);
      await store.markCleanStop(Date.UTC(2026, 0, 31, 12));
      const all = await store.loadAll('2026-01-01', false);
      expect(all.get('beside-the-record')?.state).toEqual(down);
      expect([...all.keys()].filter((id) => id.startsWith('#'))).toEqual([]);
      await store.takeCleanStop();
    });
  });

  describe('remove', () => {
    it('deletes the state and every rollup of the service, and nothing else', async () => {
      await store.saveState('removed', down, 1);
      // more than one BatchWriteItem worth of items
      for (let day = 1; day <= 31; day += 1)
        await store.saveRollup(rollup('removed', `2026-01-${String(day).padStart(2, '0')}`), null, 1);
      await store.saveState('kept', down, 1);
      await store.saveRollup(rollup('kept', '2026-01-05'), null, 1);

      await store.remove('removed');

      expect(await store.load('removed', '0000-00-00')).toEqual({ state: null, rollups: [] });
      const kept = await store.load('kept', '0000-00-00');
      expect(kept.state).toEqual(down);
      expect(kept.rollups).toHaveLength(1);
    });

    // Was a bug: remove() ignored the UnprocessedItems of its batch deletes, so a throttled delete left state behind
    // that a service re-created with the same id inherited at the next boot.
    it('retries the deletes DynamoDB hands back unprocessed, leaving nothing behind', async () => {
      const throttledClient = dynamoClient();
      const throttled = new DynamoStateAndRollupStore(throttledClient, names.state);
      await throttled.saveState('throttled', down, 1);
      for (let day = 1; day <= 30; day += 1)
        await throttled.saveRollup(rollup('throttled', `2026-03-${String(day).padStart(2, '0')}`), null, 1);
      const batches = throttleBatchWrites(throttledClient, 3);

      await throttled.remove('throttled');

      expect(await store.load('throttled', '0000-00-00')).toEqual({ state: null, rollups: [] });
      expect(batches.throttled).toBe(3); // three batch writes were cut short and retried
      throttledClient.destroy();
    });

    it('is a no-op for an unknown service', async () => {
      await expect(store.remove('nobody')).resolves.toBeUndefined();
    });
  });

  describe('a flush of every service at once (shutdown, midnight, the end of an outage)', () => {
    // The product's client fails a request that waits 3 s for one of the agent's 50 sockets; this one waits
    // 150 ms and does not retry, so a flush that starts every write at once fails here.
    const strictClient = () =>
      new DynamoDBClient({
        endpoint: process.env.TEST_DYNAMODB_ENDPOINT,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 150 },
      });

    it("writes every rollup without outrunning the SDK's socket pool (no request waits out its connection timeout)", async () => {
      const strict = strictClient();
      const failures: string[] = [];
      const writer = new RollupWriter(
        new DynamoStateAndRollupStore(strict, names.state),
        { flushChecks: 10, flushMs: 30 * 60_000, historyDays: 90 },
        { warn: (message: string) => failures.push(message) },
      );
      const now = Date.UTC(2026, 0, 31, 12);
      const targets = Array.from({ length: 600 }, (_, index) => {
        const id = `burst-${index}`;
        const target = {
          service: { id },
          rollups: new Map<string, RollupSlot>(),
          finished: new FinishedDays(id),
          epoch: 1,
        };
        const check = {
          serviceId: id,
          at: now - 1000,
          ok: true,
          latencyMs: 40,
          state: 'up' as const,
          maintenance: false,
        };
        writer.fold(target, check, now);
        writer.stored(target, check, now);
        return target;
      });
      await writer.flush(targets, now, true);
      strict.destroy();
      expect(failures.slice(0, 3)).toEqual([]);
      for (const target of targets) expect(target.rollups.get(dayOf(now))).toMatchObject({ pending: 0 });
      const stored = await store.loadAll(dayOf(now));
      expect(targets.filter((target) => stored.get(target.service.id)?.rollups[0]?.total === 1)).toHaveLength(600);
    });

    it('writes every changed evaluation state the same way (StateWriter)', async () => {
      const strict = strictClient();
      const failures: string[] = [];
      const writer = new StateWriter(new DynamoStateAndRollupStore(strict, names.state), {
        warn: (message: string) => failures.push(message),
      });
      const targets = Array.from({ length: 600 }, (_, index) => ({
        service: { id: `changed-${index}` },
        evaluation: down,
        epoch: 1,
      }));
      for (const target of targets) writer.changed(target);
      await writer.drain(30_000);
      strict.destroy();
      expect(failures.slice(0, 3)).toEqual([]);
      expect(targets.every((target) => writer.current(target))).toBe(true);
      const stored = await store.loadAll('2026-01-01', false);
      expect(targets.filter((target) => stored.get(target.service.id)?.state?.state === 'down')).toHaveLength(600);
    });
  });
});
