/**
 * How Node runs the app, in one place: `npm start` (scripts/start.mjs) and the benchmarks import these; the systemd
 * unit (ansible/roles/app: `app_node_options`, `app_malloc_arena_max`) repeats them, and test/infra/ansible.spec.ts
 * fails when the two drift. Measurements and trade-offs: docs/bench.md → "Memory".
 *
 * - `--heap-growing-percent=25`: the old generation grows by a fixed 25 % over the live heap after each full GC,
 *   instead of V8's dynamic factor (up to 4×), which kept up to 3× the live heap in empty pages after the boot
 *   transient (1,000 services @ 20 s: max RSS 151 MB instead of 286 MB). Not a cap: the heap still grows to whatever
 *   the live data needs. Chosen over `--optimize-for-size` (RSS 142 MB), which also slows the JIT: in the same
 *   quiet-machine runs it cost +27 % CPU, check lateness p99 43 vs 21 ms and 13.4k vs 24.1k status req/s.
 * - `--max-semi-space-size=2`: a 2 MB young generation (the default grows to 16 MB per semi-space): short pauses,
 *   little memory, and this process allocates slowly.
 * - `MALLOC_ARENA_MAX=2`: glibc otherwise gives each thread (V8's GC and compiler workers, libuv's pool running
 *   zlib/brotli) its own malloc arena, whose freed memory stays resident.
 * No `--max-old-space-size`: reaching it kills the process (out of memory), which the app must not risk.
 */
export const NODE_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=25'];
export const NODE_ENV = { MALLOC_ARENA_MAX: '2' };
