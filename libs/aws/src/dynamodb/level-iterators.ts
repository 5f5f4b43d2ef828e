import { createRequire } from 'node:module';

interface IteratorClass {
  prototype: { close(): Promise<void>; return?: () => Promise<void> };
}

const CLASSES = ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator'] as const;

let patched = false;

/**
 * dynalite streams every Query and Scan out of a LevelDB iterator and, when the stream ends or is destroyed,
 * releases the iterator only through `iterator.return()`, which abstract-level 3's iterators do not have (they
 * have `close()`). So every Query and Scan left its iterator open for good: registered with the database until it
 * closes, pinning a LevelDB snapshot and its read buffers. Measured (10,000 services, the boot's 10,000 Queries of
 * recent checks against the embedded store): 572 MB RSS with 141 MB of heap, against 131 / 42 MB once they are
 * closed — and an app on the embedded store grew with every Query it ever made. This gives the iterators the
 * `return()` dynalite calls: it closes them.
 *
 * Call before dynalite serves anything; idempotent. Throws when abstract-level is no longer where dynalite loads it
 * from or has no such classes (an upgrade changed the chain): better to stop than to leak again unnoticed.
 */
export function closeLevelIteratorsOnRelease(): void {
  if (patched) return;
  const abstract = dynalitesAbstractLevel() as Partial<Record<string, IteratorClass>>;
  for (const name of CLASSES) {
    const prototype = abstract[name]?.prototype;
    if (typeof prototype?.close !== 'function')
      throw new Error(`abstract-level (loaded by dynalite) has no ${name} with close(): check the dynalite upgrade`);
    // A version that has return() of its own keeps it.
    if (prototype.return !== undefined) continue;
    Object.defineProperty(prototype, 'return', {
      value(this: { close(): Promise<void> }) {
        return this.close();
      },
      configurable: true,
      writable: true,
    });
  }
  patched = true;
}

/** The abstract-level module dynalite's LevelDB is built on, reached the way dynalite loads it. */
export function dynalitesAbstractLevel(): unknown {
  const dynalite = createRequire(import.meta.url).resolve('dynalite');
  const level = createRequire(dynalite).resolve('level');
  const classic = createRequire(level).resolve('classic-level');
  return createRequire(classic)('abstract-level');
}
