import { setFlagsFromString } from 'node:v8';

/** What the old generation may grow by over the live heap after each full GC while the process boots (percent). */
export const BOOT_HEAP_GROWING_PERCENT = 100;

const FLAG = /^--heap-growing-percent=(\d+)$/;

/**
 * The `--heap-growing-percent` the process was started with (scripts/node-runtime.mjs, the systemd unit), from its
 * command line or NODE_OPTIONS; null when it has none (V8's own dynamic factor applies, nothing to lift).
 */
export function configuredHeapGrowingPercent(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): number | null {
  // Node applies NODE_OPTIONS first: the command line wins.
  const flags = [...(nodeOptions ?? '').split(/\s+/), ...execArgv];
  for (let index = flags.length - 1; index >= 0; index -= 1) {
    const match = FLAG.exec(flags[index] ?? '');
    if (match) return Number(match[1]);
  }
  return null;
}

/**
 * The boot allocates its steady-state heap in seconds (the module graph, the catalog, the stored state of every
 * service): with the steady state's small growth step (25 %) V8 runs a full GC at every step of that climb — at
 * 10,000 services garbage collection was 40 % of the CPU until status was served. While booting, the heap may grow
 * by BOOT_HEAP_GROWING_PERCENT instead; `end()` puts the configured step back once the app listens (status served),
 * and the next full GC sizes the heap by it again (the memory after boot is the steady state's).
 * Not a cap either way. Does nothing when the process was started without the flag.
 */
export class BootHeap {
  private ended = false;

  constructor(
    private readonly configured: number | null = configuredHeapGrowingPercent(),
    private readonly set: (flags: string) => void = setFlagsFromString,
  ) {}

  begin(): void {
    if (this.configured !== null && this.configured < BOOT_HEAP_GROWING_PERCENT)
      this.set(`--heap-growing-percent=${BOOT_HEAP_GROWING_PERCENT}`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.configured !== null && this.configured < BOOT_HEAP_GROWING_PERCENT)
      this.set(`--heap-growing-percent=${this.configured}`);
  }
}
