import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * dynalite sizes every item it reads or writes (the 1 MB page of a Query or Scan, twice per item; consumed capacity;
 * the 400 KB item limit) and sizes each number by parsing it into a big.js object (db/index.js, `valSize`, case
 * 'N'). A rollup item holds ~100 numbers: at 10,000 services the boot's Scan spent an eighth of the store's busy
 * thread in `itemSize` (0.5 of 4.1 s), besides the garbage it made (GC 1.7 s); without big.js the Scan took ~25 %
 * less time (docs/bench.md, session 33). The replaced code is dynalite 4's.
 */
export const DYNALITE_NUMBER_SIZE = `  case 'N':
    val = new Big(val)
    var numDigits = val.c.length
    if (numDigits == 1 && val.c[0] === 0) return 1
    return 1 + Math.ceil(numDigits / 2) + (numDigits % 2 || val.e % 2 ? 0 : 1) + (val.s == -1 ? 1 : 0)`;

const REPLACEMENT = `  case 'N':
    return module.numberSize(val)`;

/**
 * dynalite's size of a DynamoDB number (its `N` text: sign, digits, a point, an exponent), without big.js:
 * significant digits d (leading and trailing zeros dropped) and big.js's exponent e (of the first significant
 * digit) give 1 + ⌈d/2⌉, one more when d and e are both even, one more when negative; zero is 1. The text is one
 * dynalite accepted (validated on write), so it is well formed.
 */
export function numberSize(text: string): number {
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */) {
    negative = true;
    index = 1;
  } else if (first === 43 /* + */) index = 1;
  let firstSignificant = -1;
  let lastSignificant = -1;
  let digits = 0;
  let integerDigits = -1;
  let exponent = 0;
  for (; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 46 /* . */) {
      integerDigits = digits;
      continue;
    }
    if (code === 101 /* e */ || code === 69 /* E */) {
      exponent = Number(text.slice(index + 1));
      break;
    }
    if (code !== 48 /* 0 */) {
      if (firstSignificant < 0) firstSignificant = digits;
      lastSignificant = digits;
    }
    digits += 1;
  }
  if (firstSignificant < 0) return 1;
  if (integerDigits < 0) integerDigits = digits;
  const significant = lastSignificant - firstSignificant + 1;
  const e = integerDigits - firstSignificant - 1 + exponent;
  return 1 + Math.ceil(significant / 2) + (significant % 2 || e % 2 ? 0 : 1) + (negative ? 1 : 0);
}

/** Node's CommonJS module internals used to load one file from given text (the way require hooks do). */
interface CommonJsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
  numberSize?: (text: string) => number;
  _compile(content: string, filename: string): void;
}
interface CommonJsModuleClass {
  new (id: string): CommonJsModule;
  _nodeModulePaths(from: string): string[];
}

export type NumberSizing = 'text' | 'big.js';

/** dynalite's db module (db/index.js), resolved the way dynalite's own `require('./db')` does. */
export function dynaliteDbFile(): string {
  return createRequire(createRequire(import.meta.url).resolve('dynalite')).resolve('./db');
}

/** dynalite's db module source with its number sizing calling `module.numberSize`; null if it no longer has it. */
export function withTextNumberSize(source: string): string | null {
  return source.includes(DYNALITE_NUMBER_SIZE) ? source.replace(DYNALITE_NUMBER_SIZE, REPLACEMENT) : null;
}

/**
 * Runs `source` as the CommonJS module `file` (its requires resolve from there), with `numberSize` reachable as
 * `module.numberSize`. `cache`: put in Node's require cache first, as require does, so later requires get it.
 */
export function compileDynaliteDb(file: string, source: string, cache: boolean): CommonJsModule {
  const nodeRequire = createRequire(import.meta.url);
  const { Module } = nodeRequire('node:module') as { Module: CommonJsModuleClass };
  const module = new Module(file);
  module.filename = file;
  module.paths = Module._nodeModulePaths(dirname(file));
  module.numberSize = numberSize;
  if (cache) nodeRequire.cache[file] = module as unknown as NodeJS.Module;
  try {
    module._compile(source, file);
  } catch (error) {
    if (cache) delete nodeRequire.cache[file];
    throw error;
  }
  module.loaded = true;
  return module;
}

/**
 * dynalite's factory, loaded with its number sizing replaced by `numberSize` when its db module still holds the code
 * this replaces ('text'); else as shipped ('big.js': slower, the same answers — a dynalite upgrade changed the
 * file, and dynalite-number-size.spec.ts fails until this is looked at). The same sizes either way: page
 * boundaries, consumed capacity and the item-size limit do not change. Loaded through Node's own `require`, like
 * the iterator fix (level-iterators.ts), so the module put in its cache is the one dynalite's `require('./db')` gets.
 */
export function loadDynalite<T>(): { dynalite: T; numbers: NumberSizing } {
  const nodeRequire = createRequire(import.meta.url);
  const dbFile = dynaliteDbFile();
  if (nodeRequire.cache[dbFile] === undefined) {
    const patched = withTextNumberSize(readFileSync(dbFile, 'utf8'));
    if (patched !== null) compileDynaliteDb(dbFile, patched, true);
  }
  const dynalite = nodeRequire('dynalite') as T;
  // What dynalite got (a loader of its own, like Jest's, may not have used Node's cache).
  const loaded = nodeRequire.cache[dbFile] as unknown as CommonJsModule | undefined;
  return { dynalite, numbers: loaded?.numberSize === numberSize ? 'text' : 'big.js' };
}
