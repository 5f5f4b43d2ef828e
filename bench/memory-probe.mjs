// Preloaded into the app by bench/memory.mjs (node --import): on SIGUSR2 it runs a full GC (when --expose-gc) and
// writes process.memoryUsage() and V8's heap statistics to the file named by BENCH_MEMORY_FILE.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

process.on('SIGUSR2', () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((space) => [space.space_name, mb(space.space_used_size)]),
  );
  const heap = v8.getHeapStatistics();
  const usage = (u) => Object.fromEntries(Object.entries(u).map(([key, value]) => [key, mb(value)]));
  writeFileSync(
    process.env.BENCH_MEMORY_FILE,
    JSON.stringify({
      beforeGc: usage(before),
      afterGc: usage(after),
      heapSpacesUsedMb: spaces,
      heapLimitMb: mb(heap.heap_size_limit),
      mallocedMb: mb(heap.malloced_memory),
      externalMb: mb(heap.external_memory ?? 0),
      contexts: heap.number_of_native_contexts,
    }),
  );
});
