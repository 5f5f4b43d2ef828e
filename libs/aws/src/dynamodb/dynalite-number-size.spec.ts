import { readFileSync } from 'node:fs';
import { seededRandom as random } from '@app/common/testing';
import {
  compileDynaliteDb,
  DYNALITE_NUMBER_SIZE,
  dynaliteDbFile,
  numberSize,
  withTextNumberSize,
} from './dynalite-number-size.js';

type Item = Record<string, Record<string, unknown>>;
interface DynaliteDb {
  itemSize(item: Item, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
}

/** Numbers as the SDK and the adapters write them, and the shapes DynamoDB's number grammar allows. */
function numbers(count: number, seed = 17): string[] {
  const next = random(seed);
  const int = (max: number) => Math.floor(next() * max);
  const digits = (length: number) => Array.from({ length }, () => String(int(10))).join('');
  // No "+": dynalite (big.js) refuses it on write, so no stored number has one.
  const sign = () => (next() < 0.3 ? '-' : '');
  const edges = [
    '0',
    '-0',
    '0.000',
    '-0.0',
    '1',
    '-1',
    '10',
    '100',
    '0.5',
    '0.05',
    '123.45',
    '-123.45',
    '00012.3400',
    '1e10',
    '1E+2',
    '1.5E-7',
    '-2.50e-3',
    '0.0001',
    '1733350000000',
    '1733350000000.5',
    '99999999999999999999999999999999999999',
    '9.9999999999999999999999999999999999999E+125',
    '1E-130',
    '.5',
    '5.',
    '-.25',
  ];
  const out = [...edges];
  while (out.length < count) {
    const shape = int(6);
    if (shape === 0) out.push(String(int(2 ** 31)));
    else if (shape === 1) out.push(`${sign()}${digits(1 + int(20))}`);
    else if (shape === 2) out.push(`${sign()}${digits(1 + int(12))}.${digits(1 + int(12))}`);
    else if (shape === 3)
      out.push(
        `${sign()}${'0'.repeat(int(4))}${digits(int(6))}.${digits(int(6))}${'0'.repeat(int(4))}`.replace(/\.$/, '.0'),
      );
    else if (shape === 4) out.push(`${sign()}${digits(1 + int(8))}${next() < 0.5 ? 'e' : 'E'}${sign()}${int(120)}`);
    else out.push((next() * 10 ** (int(30) - 15)).toString());
  }
  return out.filter((text) => /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text));
}

describe('dynalite sizing numbers from their text', () => {
  const file = dynaliteDbFile();
  const source = readFileSync(file, 'utf8');
  // Both compiled apart from Node's cache: the module as shipped (big.js) and as the embedded store runs it.
  const shipped = compileDynaliteDb(file, source, false).exports as DynaliteDb;
  const patched = withTextNumberSize(source);

  it('finds the code it replaces in the installed dynalite (else a dynalite upgrade needs a look)', () => {
    expect(source).toContain(DYNALITE_NUMBER_SIZE);
    expect(patched).not.toBeNull();
    expect(withTextNumberSize('no such code')).toBeNull();
  });

  it('gives every number the size big.js gives it in dynalite', () => {
    const all = numbers(30_000);
    expect(all.length).toBeGreaterThan(25_000);
    // An item of one attribute named "x": its size is the number's size + 1.
    const mismatches = all.filter((text) => numberSize(text) !== shipped.itemSize({ x: { N: text } }) - 1);
    expect(mismatches).toEqual([]);
  });

  it('sizes whole items the same as shipped, as stored and as Query and Scan pages count them', () => {
    const text = patched as string;
    const fast = compileDynaliteDb(file, text, false).exports as DynaliteDb;
    const pool = numbers(2_000, 99);
    const next = random(5);
    const pick = () => pool[Math.floor(next() * pool.length)] as string;
    for (let index = 0; index < 300; index += 1) {
      const item: Item = {
        serviceId: { S: `svc-${index}` },
        key: { S: 'day#2026-12-04' },
        total: { N: pick() },
        buckets: { L: Array.from({ length: 20 }, () => ({ N: pick() })) },
        hours: { M: { total: { L: Array.from({ length: 24 }, () => ({ N: pick() })) }, through: { N: pick() } } },
        set: { NS: [pick(), pick(), pick()] },
      };
      expect(fast.itemSize(item)).toBe(shipped.itemSize(item));
      expect(fast.itemSize(item, true, true, 'key')).toBe(shipped.itemSize(item, true, true, 'key'));
    }
  });
});
