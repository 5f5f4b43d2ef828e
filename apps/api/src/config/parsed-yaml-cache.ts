import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** What produced a stored value: the parser's version and the options readServicesFile parses with. */
export const YAML_PARSER = `yaml ${(createRequire(import.meta.url)('yaml/package.json') as { version: string }).version} maxAliasCount=100`;

interface Entry {
  parser: string;
  sha256: string;
  value: unknown;
}

/**
 * The services file's parse tree, kept beside the data as JSON and used when the file's text is byte for byte the
 * one it was parsed from, by the same parser. At 10,000 services the YAML parse took 1.2 s (470 ms of it garbage
 * collection) and left ~90 MB of heap behind where JSON.parse of the same tree takes 30 ms. Only the parse is
 * skipped: the value read back is validated exactly as a fresh parse is, so a stale or tampered entry cannot
 * bring in a service that breaks a rule. It is written only for a file that was valid, and only when JSON gives
 * back exactly what the parser made (plain objects and arrays, finite numbers, no `-0`, no `__proto__` key, no
 * value reached twice through an alias); otherwise the file is parsed at every boot, as without it.
 */
export class ParsedYamlCache {
  constructor(
    readonly path: string,
    private readonly parser = YAML_PARSER,
  ) {}

  /** The value stored for exactly this text, or undefined (nothing stored, another text or parser, unreadable). */
  get(text: string): unknown {
    let entry: Partial<Entry>;
    try {
      entry = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<Entry>;
    } catch {
      return undefined;
    }
    if (entry === null || typeof entry !== 'object') return undefined;
    if (entry.parser !== this.parser || entry.sha256 !== digest(text) || !('value' in entry)) return undefined;
    return entry.value;
  }

  /**
   * The entry for `value` as the parse of `text`, serialized now (whatever later reads the value cannot change
   * what is stored); null when JSON would not give the value back as it is. `write()` stores it under a
   * temporary name, then renames (a reader sees the old entry or the new one); false when the directory cannot
   * be written: the cache only saves time, so that is not an error.
   */
  prepare(text: string, value: unknown): { write(): boolean } | null {
    if (!survivesJson(value)) return null;
    const entry: Entry = { parser: this.parser, sha256: digest(text), value };
    const json = JSON.stringify(entry);
    return { write: () => this.write(json) };
  }

  private write(json: string): boolean {
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, json, { mode: 0o600 });
      renameSync(temporary, this.path);
      return true;
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was created where nothing can be written.
      }
      return false;
    }
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Does JSON.parse(JSON.stringify(value)) give back the same tree? Iterative: a deep file cannot overflow it. */
export function survivesJson(value: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item) || Object.is(item, -0)) return false;
      continue;
    }
    if (typeof item !== 'object') return false;
    // An alias makes two places share one object; JSON would copy it (and a chain of aliases multiplies).
    if (seen.has(item)) return false;
    seen.add(item);
    if (Array.isArray(item)) {
      if (Object.getPrototypeOf(item) !== Array.prototype) return false;
      for (let index = 0; index < item.length; index += 1) {
        if (!(index in item)) return false;
        stack.push(item[index]);
      }
      continue;
    }
    if (Object.getPrototypeOf(item) !== Object.prototype) return false;
    if (Object.getOwnPropertySymbols(item).length > 0) return false;
    for (const key of Object.keys(item)) {
      if (key === '__proto__') return false;
      stack.push((item as Record<string, unknown>)[key]);
    }
    // A non-enumerable own property (none from a parser) would be dropped.
    if (Object.getOwnPropertyNames(item).length !== Object.keys(item).length) return false;
  }
  return true;
}
