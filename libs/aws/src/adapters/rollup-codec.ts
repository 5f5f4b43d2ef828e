import { LATENCY_BUCKETS_MS, dayNumberOf, type DailyRollup } from '@app/monitoring';

const BUCKETS = LATENCY_BUCKETS_MS.length;
const COMMA = 44;
const COLON = 58;
const ZERO = 48;
const NINE = 57;

/** The latency histogram as "bucket:count" pairs of its non-empty buckets ("6:118,7:2"): a few bytes per item. */
export function encodeBuckets(buckets: readonly number[]): string {
  return buckets
    .map((count, index) => (count > 0 ? `${index}:${count}` : ''))
    .filter((pair) => pair !== '')
    .join(',');
}

/**
 * Reads "bucket:count" pairs as encodeBuckets writes them (decimal digits only, a bucket below BUCKETS) into
 * `into` when given; false when the text is anything else. One pass over the characters, nothing allocated: a
 * boot reads ~90 of these per service.
 */
function readBuckets(text: string, into: number[] | null): boolean {
  let position = 0;
  while (position < text.length) {
    let index = 0;
    let digits = 0;
    for (let code = text.charCodeAt(position); code >= ZERO && code <= NINE; code = text.charCodeAt(position)) {
      index = index * 10 + (code - ZERO);
      digits += 1;
      position += 1;
    }
    if (digits === 0 || index >= BUCKETS || text.charCodeAt(position) !== COLON) return false;
    position += 1;
    let count = 0;
    digits = 0;
    for (let code = text.charCodeAt(position); code >= ZERO && code <= NINE; code = text.charCodeAt(position)) {
      count = count * 10 + (code - ZERO);
      digits += 1;
      position += 1;
    }
    if (digits === 0 || !Number.isSafeInteger(count)) return false;
    if (into !== null) into[index] = count;
    if (position === text.length) return true;
    if (text.charCodeAt(position) !== COMMA || position === text.length - 1) return false;
    position += 1;
  }
  return true;
}

/** The histogram back as one counter per bucket; empty (no percentiles) when the item has none or it is damaged. */
export function decodeBuckets(text: string | undefined): number[] {
  if (text === undefined || text === '') return [];
  const buckets = new Array<number>(BUCKETS).fill(0);
  return readBuckets(text, buckets) ? buckets : [];
}

/**
 * The finished days as one string attribute: a JSON array of
 * `[day, total, failures, maintenance, latencySum, latencyCount, through, latencyHist]` (the histogram as
 * `encodeBuckets` writes it), ~60 B a day (5.3 KB for 88 days) where a rollup item costs ~300 B to read without its
 * hour slots.
 */
export function encodeFinishedDays(days: readonly DailyRollup[]): string {
  return JSON.stringify(
    days.map((day) => [
      day.day,
      day.total,
      day.failures,
      day.maintenance,
      day.latencySum,
      day.latencyCount,
      day.through,
      encodeBuckets(day.latencyBuckets),
    ]),
  );
}

const counter = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * The rows of a copy's text that pass every check (a day as dayOf writes it, not after `through`, five counters and
 * the through of a finite non-negative number, a histogram encodeBuckets could have written), handed to `visit` in
 * the text's order; false as soon as one does not (the whole copy is then damaged).
 */
function eachDay(
  through: string,
  text: string,
  visit: (row: readonly unknown[], day: string, histogram: string) => void,
): boolean {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    return false;
  }
  if (!Array.isArray(rows)) return false;
  for (const row of rows as unknown[]) {
    if (!Array.isArray(row) || row.length !== 8) return false;
    const day: unknown = row[0];
    const histogram: unknown = row[7];
    if (typeof day !== 'string' || day > through || dayNumberOf(day) === null || typeof histogram !== 'string')
      return false;
    for (let field = 1; field < 7; field += 1) if (!counter(row[field])) return false;
    if (histogram !== '' && !readBuckets(histogram, null)) return false;
    visit(row, day, histogram);
  }
  return true;
}

/**
 * What a boot needs to know of a copy before it decodes it (how many days, the newest): the text checked as
 * `decodeFinishedDays` checks it, without making its rollups. Null when it is damaged.
 */
export function scanFinishedDays(through: string, text: string): { days: number; lastDay: string | null } | null {
  let days = 0;
  let lastDay: string | null = null;
  const whole = eachDay(through, text, (_, day) => {
    days += 1;
    if (lastDay === null || day > lastDay) lastDay = day;
  });
  return whole ? { days, lastDay } : null;
}

/**
 * The rollups of a copy's text from `fromDay` up to `before` (exclusive; both optional), oldest first, without hour
 * slots; null when the text is damaged.
 */
export function decodeFinishedDays(
  serviceId: string,
  through: string,
  text: string,
  fromDay = '',
  before?: string,
): DailyRollup[] | null {
  const rollups: DailyRollup[] = [];
  let ordered = true;
  const whole = eachDay(through, text, (row, day, histogram) => {
    if (day < fromDay || (before !== undefined && day >= before)) return;
    const previous = rollups.at(-1);
    if (previous !== undefined && previous.day > day) ordered = false;
    rollups.push({
      serviceId,
      day,
      total: row[1] as number,
      failures: row[2] as number,
      maintenance: row[3] as number,
      latencySum: row[4] as number,
      latencyCount: row[5] as number,
      hourTotal: [],
      hourFailures: [],
      hourLatencySum: [],
      latencyBuckets: decodeBuckets(histogram),
      through: row[6] as number,
    });
  });
  if (!whole) return null;
  // Written oldest first; a copy in another order is put in order (by code unit: YYYY-MM-DD sorts as its days).
  if (!ordered) rollups.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return rollups;
}
