// node --max-old-space-size=6000 bench/heap-summary.mjs <file.heapsnapshot>
// Where a heap snapshot's bytes are (BENCH_HEAP_SNAPSHOT=<file> makes bench/memory.mjs's probe write one): self size
// by node type, the largest strings (mostly the source text V8 keeps of every loaded module), plain objects grouped
// by their property names (so "the rollups" or "the recent checks" show up as one line each, with their arrays and
// boxed numbers), and arrays grouped by the property that holds them. Sizes are self sizes, not retained sizes.
import { readFileSync } from 'node:fs';

const snapshot = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { meta } = snapshot.snapshot;
const { nodes, edges, strings } = snapshot;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const [TYPE, NAME, SELF, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f));
const [E_TYPE, E_NAME, E_TO] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(2).padStart(7);
const typeOf = (node) => nodeTypes[nodes[node + TYPE]];
const nameOf = (node) => strings[nodes[node + NAME]];
const add = (map, key, bytes) => {
  const entry = map.get(key) ?? { count: 0, bytes: 0 };
  entry.count += 1;
  entry.bytes += bytes;
  map.set(key, entry);
};
const print = (title, map, limit) => {
  console.log(`\n${title}`);
  for (const [key, { count, bytes }] of [...map].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, limit))
    console.log(`${mb(bytes)} MB ${String(count).padStart(8)} × ${key.slice(0, 120)}`);
};

const byType = new Map();
const shapes = new Map();
const arrayBytes = new Map();
const bigStrings = [];
let total = 0;
let firstEdge = 0;
for (let node = 0; node < nodes.length; node += NF) {
  const type = typeOf(node);
  const name = nameOf(node);
  const self = nodes[node + SELF];
  const edgeCount = nodes[node + EDGES];
  total += self;
  add(byType, type, self);
  if (type === 'string' && self > 10_240) bigStrings.push([self, name.slice(0, 100).replace(/\s+/g, ' ')]);
  if (type === 'object' && (name === 'Object' || name === 'Array')) {
    // The object with its elements / out-of-object properties and the heap numbers it points to.
    let owned = self;
    const properties = [];
    for (let k = 0; k < edgeCount; k += 1) {
      const edge = (firstEdge + k) * EF;
      const to = edges[edge + E_TO];
      const edgeType = edgeTypes[edges[edge + E_TYPE]];
      const targetName = nameOf(to);
      if (edgeType === 'property' && properties.length < 6) properties.push(strings[edges[edge + E_NAME]]);
      if (edgeType === 'internal' && (targetName === '(object elements)' || targetName === '(object properties)'))
        owned += nodes[to + SELF];
      else if (edgeType === 'property' && typeOf(to) === 'number') owned += nodes[to + SELF];
    }
    if (name === 'Array') arrayBytes.set(node, owned);
    else add(shapes, `{${properties.filter((p) => p !== '__proto__').join(', ')}}`, owned);
  }
  firstEdge += edgeCount;
}
const arrays = new Map();
for (let edge = 0; edge < edges.length; edge += EF) {
  const to = edges[edge + E_TO];
  const bytes = arrayBytes.get(to);
  if (bytes === undefined) continue;
  const edgeType = edgeTypes[edges[edge + E_TYPE]];
  add(arrays, edgeType === 'property' ? `.${strings[edges[edge + E_NAME]]}` : `(${edgeType})`, bytes);
  arrayBytes.delete(to);
}

console.log(`total self size ${mb(total)} MB`);
print('by node type', byType, 12);
bigStrings.sort((a, b) => b[0] - a[0]);
console.log(
  `\nstrings > 10 KB: ${bigStrings.length}, ${mb(bigStrings.reduce((sum, [bytes]) => sum + bytes, 0))} MB; largest:`,
);
for (const [bytes, text] of bigStrings.slice(0, 12)) console.log(`${(bytes / 1024).toFixed(0).padStart(6)} KB ${text}`);
print('plain objects by property names (with their elements and numbers)', shapes, 25);
print('arrays by the property holding them', arrays, 15);
