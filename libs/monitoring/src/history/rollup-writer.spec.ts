import { jest } from '@jest/globals';
import { dayOf, emptyRollup, foldCheck } from './rollup.js';
import { FinishedDays } from './finished-days.js';
import { COPIES_PER_SECOND, RollupWriter, type RollupSlot, type ServiceRollups } from './rollup-writer.js';
import type { StoredCheck } from '../ports.js';
import { WRITES_IN_FLIGHT, WRITES_PER_TURN } from '../scheduling/in-turns.js';
import { dayRollup, InMemoryStateAndRollupStore } from '../testing/index.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 31, 12);
const TODAY = dayOf(NOW);
const quiet = { warn: () => undefined };

const check = (at: number, ok = true): StoredCheck => ({
  serviceId: 'api',
  at,
  ok,
  latencyMs: 40,
  state: 'up',
  maintenance: false,
});

/** A check taken and stored (the usual order: shown at once, counted for writing once the store has it). */
function take(subject: RollupWriter, taken: StoredCheck, now = NOW): void {
  subject.fold(api, taken, now);
  subject.stored(api, taken, now);
}
let api: ServiceRollups;

describe('RollupWriter', () => {
  let store: InMemoryStateAndRollupStore;
  let writer: RollupWriter;

  beforeEach(() => {
    store = new InMemoryStateAndRollupStore();
    writer = new RollupWriter(store, { flushChecks: 3, flushMs: 30 * MINUTE, historyDays: 90 }, quiet);
    api = {
      service: { id: 'api' },
      rollups: new Map<string, RollupSlot>(),
      finished: new FinishedDays('api'),
      epoch: 1,
    };
  });

  it('folds checks into the day they were taken', () => {
    take(writer, check(NOW - MINUTE, false));
    take(writer, check(NOW));
    take(writer, check(NOW - 13 * 60 * MINUTE)); // 23:00 yesterday
    expect(api.rollups.get(TODAY)).toMatchObject({ pending: 2, rollup: { total: 2, failures: 1 } });
    expect(api.rollups.get(dayOf(NOW - 13 * 60 * MINUTE))).toMatchObject({ pending: 1, rollup: { total: 1 } });
  });

  it('drops days older than the history it keeps when a new day starts', () => {
    writer.restore(api, [dayRollup('api', '2025-10-01'), dayRollup('api', '2026-01-30')], NOW);
    take(writer, check(NOW));
    expect([...api.rollups.keys()].sort()).toEqual(['2026-01-30', TODAY]);
    expect(api.finished.size).toBe(0);
  });

  it('never writes a day it dropped, even with checks of it not written yet', async () => {
    const early = Date.UTC(2025, 10, 2, 12);
    take(writer, check(early), early);
    expect(api.rollups.get(dayOf(early))?.pending).toBe(1);
    take(writer, check(NOW)); // 90 days later: the old day leaves memory unwritten, as it always did
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', dayOf(early))).toBeUndefined();
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
  });

  it('visits only the days with unwritten checks, not every day kept', async () => {
    const days = Array.from({ length: 89 }, (_, back) => dayOf(NOW - (back + 1) * 24 * 60 * MINUTE));
    writer.restore(
      api,
      days.map((day) => dayRollup('api', day, { checks: 3 })),
      NOW,
    );
    const saves = jest.spyOn(store, 'saveRollup');
    const read = jest.fn();
    for (const method of ['values', 'entries', 'keys', 'forEach', Symbol.iterator] as const) {
      const original = api.rollups[method].bind(api.rollups) as (...args: unknown[]) => unknown;
      (api.rollups as unknown as Record<PropertyKey, unknown>)[method] = (...args: unknown[]) => {
        read(method);
        return original(...args);
      };
    }
    await writer.flush([api], NOW, true);
    expect(read).not.toHaveBeenCalled();
    expect(saves).not.toHaveBeenCalled();

    take(writer, check(NOW)); // a new day: the days past the history are looked for, once
    read.mockClear();
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
    expect(saves).toHaveBeenCalledTimes(1);
    await writer.flush([api], NOW, true); // written: nothing left to visit or write
    expect(saves).toHaveBeenCalledTimes(1);
    expect(read).not.toHaveBeenCalled();
  });

  it('writes a day after `flushChecks` checks, not before', async () => {
    take(writer, check(NOW - 2000));
    take(writer, check(NOW - 1000));
    await writer.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    take(writer, check(NOW));
    await writer.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, through: NOW });
    expect(api.rollups.get(TODAY)).toMatchObject({ pending: 0, persistedThrough: NOW });
  });

  it('writes many due days a few per turn, and none twice when two flushes overlap', async () => {
    const many: ServiceRollups[] = Array.from({ length: 40 }, (_, index) => ({
      service: { id: `s${index}` },
      rollups: new Map<string, RollupSlot>(),
      finished: new FinishedDays(`s${index}`),
      epoch: 1,
    }));
    for (const target of many)
      for (const at of [NOW - 2000, NOW - 1000, NOW]) {
        const taken = { ...check(at), serviceId: target.service.id };
        writer.fold(target, taken, NOW);
        writer.stored(target, taken, NOW);
      }
    const saves = jest.spyOn(store, 'saveRollup');
    const first = writer.flush(many, NOW);
    expect(saves).toHaveBeenCalledTimes(WRITES_PER_TURN); // the rest in later turns
    const second = writer.flush(many, NOW, true); // e.g. shutdown while the tick's flush is still going
    await Promise.all([first, second]);
    expect(saves).toHaveBeenCalledTimes(40);
    for (const target of many) expect(store.rollup(target.service.id, TODAY)).toMatchObject({ total: 3, through: NOW });
  });

  it('writes a day with few checks after `flushMs`, and a finished day at once', async () => {
    take(writer, check(NOW));
    take(writer, check(NOW - 13 * 60 * MINUTE));
    await writer.flush([api], NOW + MINUTE);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    expect(store.rollup('api', dayOf(NOW - 13 * 60 * MINUTE))).toMatchObject({ total: 1 });
    await writer.flush([api], NOW + 30 * MINUTE);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
  });

  it('continues from a restored rollup, writing on top of the stored copy', async () => {
    const stored = dayRollup('api', TODAY, { checks: 2, failures: 0 });
    store.seed(stored);
    writer.restore(api, (await store.load('api', TODAY)).rollups, NOW);
    take(writer, check(NOW, false));
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, failures: 1, through: NOW });
  });

  it('adopts a rollup written by another process and overwrites it on the next flush', async () => {
    take(writer, check(NOW));
    const other = emptyRollup('api', TODAY);
    foldCheck(other, { at: NOW - 5000, ok: true, latencyMs: 1, maintenance: false });
    store.seed(other);

    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toEqual(other);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1, through: NOW });
  });

  it('shows a check at once but writes it only once the check store has it', async () => {
    writer.fold(api, check(NOW - 2000), NOW);
    writer.fold(api, check(NOW - 1000), NOW);
    writer.fold(api, check(NOW), NOW);
    expect(api.rollups.get(TODAY)).toMatchObject({ pending: 0, rollup: { total: 3 }, durable: { total: 0 } });
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toBeUndefined(); // a crash now loses the checks: the rollup must not count them
    writer.stored(api, check(NOW - 2000), NOW);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1, through: NOW - 2000 });
  });

  it('keeps one copy of a restored day until a check lands in it, then counts that check once in each', async () => {
    store.seed(dayRollup('api', TODAY, { checks: 2, failures: 0 }));
    store.seed(dayRollup('api', '2026-01-20', { checks: 5, failures: 1 }));
    writer.restore(api, (await store.load('api', '2026-01-01')).rollups, NOW);
    expect(api.rollups.get(TODAY)?.durable).toBeNull();
    // A day before yesterday is packed: no slot, no copy.
    expect(api.rollups.has('2026-01-20')).toBe(false);
    expect(api.finished.rollup('2026-01-20')).toMatchObject({ total: 5, failures: 1 });

    writer.fold(api, check(NOW, false), NOW);
    expect(api.rollups.get(TODAY)).toMatchObject({ rollup: { total: 3 }, durable: { total: 2 }, pending: 0 });
    writer.stored(api, check(NOW, false), NOW);
    // Caught up: one copy again, the check counted once for writing.
    expect(api.rollups.get(TODAY)).toMatchObject({ rollup: { total: 3 }, durable: null, pending: 1 });
    expect(api.rollups.has('2026-01-20')).toBe(false);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, failures: 1, through: NOW });
  });

  it('keeps the written copy apart only while a shown check is not stored yet', async () => {
    writer.fold(api, check(NOW - 2000), NOW);
    writer.fold(api, check(NOW - 1000, false), NOW);
    writer.stored(api, check(NOW - 2000), NOW);
    // One check still in flight: the written copy lacks it.
    expect(api.rollups.get(TODAY)).toMatchObject({ rollup: { total: 2 }, durable: { total: 1 }, pending: 1 });
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1, failures: 0, through: NOW - 2000 });

    writer.stored(api, check(NOW - 1000, false), NOW);
    expect(api.rollups.get(TODAY)).toMatchObject({ rollup: { total: 2 }, durable: null, pending: 1 });
    writer.fold(api, check(NOW), NOW);
    // The next check copies the caught-up day again before it is shown; the copy is not the shown object.
    const slot = api.rollups.get(TODAY) as RollupSlot;
    expect(slot).toMatchObject({ rollup: { total: 3 }, durable: { total: 2, failures: 1 } });
    expect(slot.durable?.hourTotal).not.toBe(slot.rollup.hourTotal);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 2, failures: 1, through: NOW - 1000 });
    writer.stored(api, check(NOW), NOW);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 3, failures: 1, through: NOW });
    expect(slot.durable).toBeNull();
  });

  it('keeps the written copy when the store took a check the shown day did not count', () => {
    writer.fold(api, check(NOW), NOW);
    // An older check reported stored after a newer one was shown: the shown day refuses it (not newer than its
    // `through`), the copy for writing may count it — they differ, so both are kept.
    writer.stored(api, check(NOW - 1000), NOW);
    writer.stored(api, check(NOW), NOW);
    const slot = api.rollups.get(TODAY) as RollupSlot;
    expect(slot.rollup.total).toBe(1);
    expect(slot.durable).toMatchObject({ total: 2, through: NOW });
  });

  it('keeps hour slots for today and yesterday only (the 24-hour chart), and every day total', async () => {
    store.seed(dayRollup('api', TODAY, { checks: 2 }));
    store.seed(dayRollup('api', '2026-01-30', { checks: 3 }));
    store.seed(dayRollup('api', '2026-01-29', { checks: 4, failures: 2 }));
    writer.restore(api, (await store.load('api', '2026-01-01')).rollups, NOW);
    const hours = (day: string) => (api.rollups.get(day)?.rollup ?? api.finished.rollup(day))?.hourTotal.length;
    expect([hours(TODAY), hours('2026-01-30'), hours('2026-01-29')]).toEqual([24, 24, 0]);
    expect(api.finished.rollup('2026-01-29')).toMatchObject({ total: 4, failures: 2, hourFailures: [] });
    expect(api.finished.rollup('2026-01-29')?.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(2);
    // One frozen empty list for every such day, not three arrays a day.
    const old = api.finished.rollup('2026-01-29');
    expect(Object.isFrozen(old?.hourTotal)).toBe(true);
    expect(old?.hourFailures).toBe(old?.hourTotal);
  });

  it('writes a late check into a day restored without hour slots with whole slots, never with holes', async () => {
    store.seed(dayRollup('api', '2026-01-29', { checks: 4, failures: 2 }));
    writer.restore(api, (await store.load('api', '2026-01-01')).rollups, NOW);
    take(writer, check(Date.UTC(2026, 0, 29, 22), false));
    await writer.flush([api], NOW, true);
    const written = store.rollup('api', '2026-01-29');
    expect(written).toMatchObject({ total: 5, failures: 3 });
    expect(written?.hourTotal).toHaveLength(24);
    expect(written?.hourFailures).toEqual([...new Array<number>(22).fill(0), 1, 0]);
  });

  it('packs a day once it is before yesterday and written, when a new day starts', async () => {
    const day = (back: number) => NOW - back * 24 * 60 * MINUTE;
    take(writer, check(day(2)), day(2));
    take(writer, check(day(1) - 2000, false), day(1));
    // Two days ago still has an unwritten check when yesterday starts: it stays a slot (its copy is written).
    expect([...api.rollups.keys()]).toEqual([dayOf(day(2)), dayOf(day(1))]);
    expect(api.finished.size).toBe(0);
    await writer.flush([api], day(1), true);
    const shown = structuredClone(api.rollups.get(dayOf(day(2)))!.rollup);
    take(writer, check(NOW), NOW); // today's first check: what is settled before yesterday is packed
    expect([...api.rollups.keys()]).toEqual([dayOf(day(1)), TODAY]);
    expect(api.finished.rollup(dayOf(day(2)))).toEqual({
      ...shown,
      hourTotal: [],
      hourFailures: [],
      hourLatencySum: [],
    });
    // Yesterday keeps its hour slots (the 24-hour chart).
    expect(api.rollups.get(dayOf(day(1)))!.rollup.hourTotal).toHaveLength(24);
  });

  it('does not pack a day before yesterday that still has a check to write', async () => {
    const twoDaysAgo = NOW - 2 * 24 * 60 * MINUTE;
    writer.fold(api, check(twoDaysAgo), twoDaysAgo); // shown, not yet stored
    take(writer, check(NOW), NOW);
    expect(api.rollups.get(dayOf(twoDaysAgo))).toMatchObject({ rollup: { total: 1 }, durable: { total: 0 } });
    expect(api.finished.has(dayOf(twoDaysAgo))).toBe(false);
    writer.stored(api, check(twoDaysAgo), NOW);
    await writer.flush([api], NOW, true);
    expect(store.rollup('api', dayOf(twoDaysAgo))).toMatchObject({ total: 1 });
  });

  it('unpacks a packed day for a late check, writes it on top of the stored copy, and packs it again', async () => {
    const late = Date.UTC(2026, 0, 25, 15);
    store.seed(dayRollup('api', dayOf(late), { checks: 4, failures: 1 }));
    writer.restore(api, (await store.load('api', '2026-01-01')).rollups, NOW);
    expect(api.finished.has(dayOf(late))).toBe(true);
    take(writer, check(late, false)); // e.g. folded again after a crash, or reported late by the check store
    expect(api.finished.has(dayOf(late))).toBe(false);
    expect(api.rollups.get(dayOf(late))).toMatchObject({ rollup: { total: 5, failures: 2 }, pending: 1 });
    await writer.flush([api], NOW, true);
    // The conditional write on the stored `through` held: the packed day knew what was stored.
    expect(store.rollup('api', dayOf(late))).toMatchObject({ total: 5, failures: 2, through: late });
    const tomorrow = NOW + 24 * 60 * MINUTE;
    take(writer, check(tomorrow), tomorrow);
    expect(api.rollups.has(dayOf(late))).toBe(false);
    expect(api.finished.rollup(dayOf(late))).toMatchObject({ total: 5, failures: 2, through: late });
  });

  describe('the stored copy of the finished days (what a boot reads instead of a rollup per day)', () => {
    const DAY = 24 * 60 * MINUTE;
    const withoutHours = <T extends object>(rollup: T) => ({
      ...rollup,
      hourTotal: [],
      hourFailures: [],
      hourLatencySum: [],
    });
    const storedDays = [NOW - 40 * DAY, NOW - 3 * DAY, NOW - 2 * DAY, NOW - DAY].map(dayOf);
    const restored = async (finishedThrough?: string) => {
      store.seed(...storedDays.map((day, index) => dayRollup('api', day, { checks: 3 + index, failures: index })));
      writer.restore(api, (await store.load('api', '2025-11-01')).rollups, NOW, finishedThrough);
    };

    it('writes one a day, through the day before yesterday: every stored day of the history as stored', async () => {
      await restored();
      await writer.flush([api], NOW);
      expect(store.finishedCopies.get('api')).toEqual({
        through: dayOf(NOW - 2 * DAY),
        days: storedDays.slice(0, 3).map((day) => withoutHours(store.rollup('api', day)!)),
      });
      take(writer, check(NOW));
      await writer.flush([api], NOW + MINUTE);
      expect(store.saveFinishedDaysCalls).toBe(1);
      // The next day: yesterday joins, once its last checks are written.
      const tomorrow = NOW + DAY;
      await writer.flush([api], tomorrow);
      expect(store.saveFinishedDaysCalls).toBe(2);
      expect(store.finishedCopies.get('api')?.through).toBe(dayOf(NOW - DAY));
      expect(store.finishedCopies.get('api')?.days.map((rollup) => rollup.day)).toEqual(storedDays);
    });

    it('writes none the day a boot read one complete through the day before yesterday', async () => {
      await restored(dayOf(NOW - 2 * DAY));
      await writer.flush([api], NOW);
      expect(store.saveFinishedDaysCalls).toBe(0);
      await writer.flush([api], NOW + DAY);
      expect(store.saveFinishedDaysCalls).toBe(1);
    });

    it('writes none while held, nor before the time the hold gives; a hold that fails lets go', async () => {
      await restored();
      let release = (_at: number) => undefined as void;
      writer.holdCopies(new Promise<number>((resolve) => (release = resolve)));
      let fail = (_error: Error) => undefined as void;
      writer.holdCopies(new Promise<number>((_resolve, reject) => (fail = reject)));
      await writer.flush([api], NOW);
      release(NOW + MINUTE);
      await Promise.resolve();
      await writer.flush([api], NOW + MINUTE);
      expect(store.saveFinishedDaysCalls).toBe(0); // the other hold is still on
      fail(new Error('restore failed'));
      await Promise.resolve();
      await writer.flush([api], NOW + MINUTE - 1);
      expect(store.saveFinishedDaysCalls).toBe(0); // not before the time given
      await writer.flush([api], NOW + MINUTE);
      expect(store.saveFinishedDaysCalls).toBe(1);
    });

    it('writes none on a forced flush (shutdown), nor for a service another replica works', async () => {
      await restored();
      await writer.flush([api], NOW, true);
      await writer.flush([{ ...api, epoch: null }], NOW);
      expect(store.saveFinishedDaysCalls).toBe(0);
    });

    it('drops the copy before a late check`s day before yesterday is written, and copies that day once written', async () => {
      await restored();
      await writer.flush([api], NOW);
      const calls: string[] = [];
      const drop = store.dropFinishedDays.bind(store);
      const save = store.saveRollup.bind(store);
      jest.spyOn(store, 'dropFinishedDays').mockImplementation((...args) => (calls.push('drop'), drop(...args)));
      jest
        .spyOn(store, 'saveRollup')
        .mockImplementation((...args) => (calls.push(`save ${args[0].day}`), save(...args)));
      const late = NOW - 3 * DAY + 60 * MINUTE;
      take(writer, check(late, false));
      await writer.flush([api], NOW);
      expect(calls).toEqual(['drop', `save ${dayOf(late)}`]);
      expect(store.finishedCopies.has('api')).toBe(false);
      await writer.flush([api], NOW);
      expect(store.finishedCopies.get('api')?.days.find((rollup) => rollup.day === dayOf(late))).toEqual(
        withoutHours(store.rollup('api', dayOf(late))!),
      );
      expect(store.rollup('api', dayOf(late))).toMatchObject({ total: 5, failures: 2 });
      // A late check of yesterday is in no copy: nothing dropped for it.
      take(writer, check(NOW - DAY + MINUTE));
      await writer.flush([api], NOW);
      expect(calls.filter((call) => call === 'drop')).toHaveLength(1);
    });

    it('writes no copy while a day before yesterday has a check being written, and one with it after', async () => {
      await restored(dayOf(NOW - 3 * DAY)); // the copy known through an older day: one is due today
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const save = store.saveRollup.bind(store);
      jest.spyOn(store, 'saveRollup').mockImplementation(async (...args) => {
        await gate;
        return save(...args);
      });
      take(writer, check(NOW - 2 * DAY + MINUTE));
      const first = writer.flush([api], NOW);
      await writer.flush([api], NOW);
      expect(store.saveFinishedDaysCalls).toBe(0);
      release();
      await first;
      await writer.flush([api], NOW);
      expect(store.saveFinishedDaysCalls).toBe(1);
      expect(store.finishedCopies.get('api')?.days.find((rollup) => rollup.day === dayOf(NOW - 2 * DAY))).toMatchObject(
        {
          total: 6,
        },
      );
    });

    it('holds a late check`s day before yesterday while the copy is being written, then drops it and writes the day', async () => {
      await restored();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const calls: string[] = [];
      const copy = store.saveFinishedDays.bind(store);
      jest.spyOn(store, 'saveFinishedDays').mockImplementation(async (...args) => {
        calls.push('copy');
        await gate;
        calls.push('copied');
        return copy(...args);
      });
      const drop = store.dropFinishedDays.bind(store);
      jest.spyOn(store, 'dropFinishedDays').mockImplementation((...args) => (calls.push('drop'), drop(...args)));
      const first = writer.flush([api], NOW);
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toEqual(['copy']);
      take(writer, check(NOW - 3 * DAY + MINUTE)); // arrives while the copy (without it) is in flight
      await writer.flush([api], NOW);
      expect(calls).toEqual(['copy']);
      release();
      await first;
      await writer.flush([api], NOW);
      expect(calls).toEqual(['copy', 'copied', 'drop']);
      expect(store.finishedCopies.has('api')).toBe(false);
      expect(store.rollup('api', dayOf(NOW - 3 * DAY))).toMatchObject({ total: 5 });
    });

    it(`starts at most COPIES_PER_SECOND copies a second (the day's turn makes every service due at once)`, async () => {
      const many: ServiceRollups[] = Array.from({ length: COPIES_PER_SECOND * 2 + 50 }, (_, index) => ({
        service: { id: `s${index}` },
        rollups: new Map<string, RollupSlot>(),
        finished: new FinishedDays(`s${index}`),
        epoch: 1,
      }));
      for (const target of many) writer.restore(target, [dayRollup(target.service.id, dayOf(NOW - 5 * DAY))], NOW);
      await writer.flush(many, NOW);
      await writer.flush(many, NOW + 999);
      expect(store.saveFinishedDaysCalls).toBe(COPIES_PER_SECOND);
      await writer.flush(many, NOW + 1000);
      expect(store.saveFinishedDaysCalls).toBe(COPIES_PER_SECOND * 2);
      await writer.flush(many, NOW + 2000);
      await writer.flush(many, NOW + 3000);
      expect(store.saveFinishedDaysCalls).toBe(many.length);
      expect(store.finishedCopies.size).toBe(many.length);
    });

    it('reports a newer epoch on the copy as a takeover, once', async () => {
      const fenced: number[] = [];
      const owner = new RollupWriter(
        store,
        { flushChecks: 3, flushMs: 30 * MINUTE, historyDays: 90 },
        quiet,
        (_, epoch) => void fenced.push(epoch),
      );
      await store.saveFinishedDays('api', [], dayOf(NOW - 2 * DAY), 5);
      owner.restore(api, [], NOW);
      await owner.flush([api], NOW);
      expect(fenced).toEqual([1]);
      expect(store.finishedCopies.get('api')?.days).toEqual([]);
    });
  });

  it('keeps a day the packed form cannot hold exactly as a slot, and only once', () => {
    const odd = { ...dayRollup('api', '2026-01-20', { checks: 2 }), total: 2.5 }; // never written by us
    const again = dayRollup('api', '2026-01-20', { checks: 7 });
    writer.restore(api, [again], NOW);
    expect(api.finished.rollup('2026-01-20')).toMatchObject({ total: 7 });
    writer.restore(api, [odd], NOW);
    expect(api.rollups.get('2026-01-20')?.rollup.total).toBe(2.5);
    expect(api.finished.has('2026-01-20')).toBe(false);
  });

  it('keeps no copy for writing of a day shown for another replica (no epoch)', () => {
    const remote: ServiceRollups = {
      service: { id: 'api' },
      rollups: new Map<string, RollupSlot>(),
      finished: new FinishedDays('api'),
      epoch: null,
    };
    writer.fold(remote, check(NOW - 1000), NOW);
    writer.fold(remote, check(NOW), NOW);
    expect(remote.rollups.get(TODAY)).toMatchObject({ rollup: { total: 2 }, durable: null, pending: 0 });
  });

  it('writes nothing for a service another replica works (no epoch), and reports a newer epoch once', async () => {
    const fenced: number[] = [];
    const owner = new RollupWriter(
      store,
      { flushChecks: 1, flushMs: 30 * MINUTE, historyDays: 90 },
      quiet,
      (_, epoch) => void fenced.push(epoch),
    );
    take(owner, check(NOW));
    await owner.flush([{ ...api, epoch: null }], NOW, true);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    await store.fence('api', [TODAY], 5);
    await owner.flush([{ ...api, epoch: 4 }], NOW, true);
    expect(store.rollup('api', TODAY)).toBeUndefined();
    expect(fenced).toEqual([4]);
  });

  it('keeps the checks pending when a write fails, and writes them at the next flush', async () => {
    const warnings: string[] = [];
    const failing = new RollupWriter(
      store,
      { flushChecks: 1, flushMs: 30 * MINUTE, historyDays: 90 },
      { warn: (message: string) => void warnings.push(message) },
    );
    const saveRollup = store.saveRollup.bind(store);
    store.saveRollup = () => Promise.reject(new Error('throttled'));
    take(failing, check(NOW));
    await failing.flush([api], NOW);
    expect(warnings).toEqual([`saving rollup api/${TODAY} failed: Error: throttled`]);
    expect(api.rollups.get(TODAY)?.pending).toBe(1);

    store.saveRollup = saveRollup;
    await failing.flush([api], NOW);
    expect(store.rollup('api', TODAY)).toMatchObject({ total: 1 });
  });

  it('keeps at most WRITES_IN_FLIGHT writes in flight over all flushes, lists a waiting slot once, and a forced flush settles after the earlier ones', async () => {
    const many = new RollupWriter(store, { flushChecks: 1, flushMs: 30 * MINUTE, historyDays: 90 }, quiet);
    const targets = Array.from({ length: 3 * WRITES_IN_FLIGHT }, (_, index): ServiceRollups => {
      const id = `svc-${index}`;
      return { service: { id }, rollups: new Map<string, RollupSlot>(), finished: new FinishedDays(id), epoch: 1 };
    });
    for (const target of targets) {
      const taken = { ...check(NOW), serviceId: target.service.id };
      many.fold(target, taken, NOW);
      many.stored(target, taken, NOW);
    }
    const saveRollup = store.saveRollup.bind(store);
    const held: (() => void)[] = [];
    const written: string[] = [];
    let inFlight = 0;
    let most = 0;
    store.saveRollup = async (...args) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => held.push(resolve));
      written.push(args[0].serviceId);
      inFlight -= 1;
      return saveRollup(...args);
    };
    const first = many.flush(targets, NOW);
    const second = many.flush(targets, NOW); // every slot is listed by the first already
    let forcedDone = false;
    const forced = many.flush(targets, NOW, true).then(() => (forcedDone = true));
    await second;
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(WRITES_IN_FLIGHT);
    while (written.length < targets.length) {
      expect(forcedDone).toBe(false);
      held.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([first, forced]);
    expect(most).toBe(WRITES_IN_FLIGHT);
    expect(written.sort()).toEqual(targets.map((target) => target.service.id).sort()); // each once
    for (const target of targets) expect(store.rollup(target.service.id, TODAY)).toMatchObject({ total: 1 });
  });
});
