import { parseJsonPath, selectJsonPath } from './json-path.js';

describe('the JSONPath subset', () => {
  it.each([
    ['$', []],
    ['$.status', ['status']],
    ['$.data.items[0].name', ['data', 'items', 0, 'name']],
    ['$.items[-1]', ['items', -1]],
    ["$['odd key']", ['odd key']],
    ['$["a.b"].c', ['a.b', 'c']],
    ["$['it\\'s']", ["it's"]],
    ['$.snake_case-and-dash', ['snake_case-and-dash']],
  ])('parses %s', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments);
  });

  it.each([
    'status',
    '$..status',
    '$.*',
    '$.items[*]',
    '$.items[?(@.ok)]',
    '$.items[0:2]',
    "$['unclosed",
    "$['a']extra",
    '$.1abc',
    '$.',
    '$[]',
    "$['bad \\n escape']",
    `$${'.a'.repeat(100)}`,
    `$${'.a'.repeat(33)}`,
  ])('refuses %s', (path) => {
    expect(parseJsonPath(path)).toBeNull();
  });

  const document = { status: 'UP', count: 3, items: [{ name: 'a' }, { name: 'b' }], 'a.b': null, nested: { ok: true } };

  it('finds members and indexes, negative from the end', () => {
    expect(selectJsonPath(document, parseJsonPath('$.status')!)).toEqual({ found: true, value: 'UP' });
    expect(selectJsonPath(document, parseJsonPath('$.items[-1].name')!)).toEqual({ found: true, value: 'b' });
    expect(selectJsonPath(document, parseJsonPath('$["a.b"]')!)).toEqual({ found: true, value: null });
    expect(selectJsonPath(document, parseJsonPath('$')!)).toEqual({ found: true, value: document });
  });

  it('reports a missing step as not found, never an inherited property', () => {
    for (const path of [
      '$.missing',
      '$.items[5]',
      '$.items[-3]',
      '$.status.length',
      '$.nested[0]',
      '$.constructor',
      '$.items.toString',
    ])
      expect({ path, ...selectJsonPath(document, parseJsonPath(path)!) }).toEqual({ path, found: false });
  });
});
