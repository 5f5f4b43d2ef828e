// Preloaded into the app by bench/memory.mjs (node --import): on SIGUSR2 it writes process.memoryUsage() before and
// after a full GC (when --expose-gc), V8's heap spaces (used and committed) and heap statistics to the file named
// by BENCH_MEMORY_FILE; with BENCH_HEAP_SNAPSHOT set it also writes a heap snapshot there (after the GC).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const statistics = v8.getHeapSpaceStatistics();
  const spaces = Object.fromEntries(statistics.map((space) => [space.space_name, mb(space.space_used_size)]));
  const committed = Object.fromEntries(statistics.map((space) => [space.space_name, mb(space.physical_space_size)]));
  const heap = v8.getHeapStatistics();
  const usage = (u) => Object.fromEntries(Object.entries(u).map(([key, value]) => [key, mb(value)]));
  if (process.env.BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
  writeFileSync(
    process.env.BENCH_MEMORY_FILE,
    JSON.stringify({
      beforeGc: usage(before),
      afterGc: usage(after),
      heapSpacesUsedMb: spaces,
      heapSpacesCommittedMb: committed,
      heapLimitMb: mb(heap.heap_size_limit),
      mallocedMb: mb(heap.malloced_memory),
      peakMallocedMb: mb(heap.peak_malloced_memory),
      externalMb: mb(heap.external_memory ?? 0),
      contexts: heap.number_of_native_contexts,
      packages: loadedPackages(),
    }),
  );
});

/** CommonJS files loaded so far, per package (most of node_modules is CommonJS; ESM files are not listed). */
function loadedPackages() {
  const counts = {};
  for (const file of Object.keys(createRequire(import.meta.url).cache)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file.slice(file.lastIndexOf('node_modules/')));
    const name = match?.[1] ?? '(app)';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
