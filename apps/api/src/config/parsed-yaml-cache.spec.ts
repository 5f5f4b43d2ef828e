import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ParsedYamlCache, survivesJson, YAML_PARSER } from './parsed-yaml-cache.js';

describe('the services file parse cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'parsed-yaml-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const text = 'services:\n  - { id: a, name: A, url: "https://a.example/", interval: 30s }\n';

  it('gives back, for the same text, exactly the tree it stored', () => {
    const cache = new ParsedYamlCache(join(dir, 'parsed.json'));
    expect(cache.get(text)).toBeUndefined();
    const tree = parse(text) as unknown;
    expect(cache.prepare(text, tree)?.write()).toBe(true);
    expect(cache.get(text)).toEqual(tree);
    // Readable by the service user only: the file may carry request headers.
    expect(statSync(join(dir, 'parsed.json')).mode & 0o777).toBe(0o600);
  });

  it('has nothing for another text, another parser, or an entry it cannot read', () => {
    const path = join(dir, 'parsed.json');
    new ParsedYamlCache(path).prepare(text, parse(text))?.write();
    expect(new ParsedYamlCache(path).get(`${text} `)).toBeUndefined();
    expect(new ParsedYamlCache(path, 'yaml 9.9.9 maxAliasCount=100').get(text)).toBeUndefined();
    expect(new ParsedYamlCache(path).get(text)).toBeDefined();
    writeFileSync(path, '{"parser":');
    expect(new ParsedYamlCache(path).get(text)).toBeUndefined();
    writeFileSync(path, 'null');
    expect(new ParsedYamlCache(path).get(text)).toBeUndefined();
  });

  it('names the yaml version it parses with', () => {
    const { version } = JSON.parse(readFileSync('node_modules/yaml/package.json', 'utf8')) as { version: string };
    expect(YAML_PARSER).toBe(`yaml ${version} maxAliasCount=100`);
  });

  it('stores the tree as it was when prepared, not what later reads made of it', () => {
    const cache = new ParsedYamlCache(join(dir, 'parsed.json'));
    const tree = { services: [{ id: 'a' }] };
    const entry = cache.prepare(text, tree);
    tree.services[0]!.id = 'changed';
    entry?.write();
    expect(cache.get(text)).toEqual({ services: [{ id: 'a' }] });
  });

  it('writes nothing, and throws nothing, where it cannot write', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const cache = new ParsedYamlCache(join(dir, 'a-file', 'parsed.json'));
    expect(cache.prepare(text, parse(text))?.write()).toBe(false);
    expect(readdirSync(dir)).toEqual(['a-file']);
  });

  it('refuses a tree that JSON would not give back as it is', () => {
    const shared = { name: 'x' };
    const sparse: unknown[] = [];
    sparse[2] = 1;
    const refused: [string, unknown][] = [
      ['Infinity (.inf)', { services: [{ timeout: Infinity }] }],
      ['NaN (.nan)', { a: NaN }],
      ['-0', { a: -0 }],
      ['undefined', { a: undefined }],
      ['an object reached twice (an alias)', { a: shared, b: [shared] }],
      ['a __proto__ key', JSON.parse('{"__proto__": {"polluted": true}}')],
      ['a Date', { at: new Date(0) }],
      ['a Map', { m: new Map() }],
      ['a sparse array', { a: sparse }],
      ['a bigint', { a: 1n }],
    ];
    for (const [what, tree] of refused) {
      expect([what, survivesJson(tree)]).toEqual([what, false]);
      expect([what, new ParsedYamlCache(join(dir, 'parsed.json')).prepare(text, tree)]).toEqual([what, null]);
    }
    expect(readdirSync(dir)).toEqual([]);
    const plain = { a: [1, 'two', true, null, { b: 0, c: -1.5, d: '\ud800' }], e: {} };
    expect(survivesJson(plain)).toBe(true);
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
  });

  it('walks a deep tree without running out of stack', () => {
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 200_000; depth += 1) deep = [deep];
    expect(survivesJson(deep)).toBe(true);
  });

  it('refuses what the YAML parser builds from an alias', () => {
    const aliased: unknown = parse('common: &c { a: 1 }\nservices:\n  - { id: a, extra: *c }\n', {
      maxAliasCount: 100,
    });
    expect(survivesJson(aliased)).toBe(false);
  });
});
