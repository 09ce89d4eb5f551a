/**
 * Keeps V8 from letting the daemon's old generation grow to several times its live size between full collections
 * (issue 12). On a 64-bit host with a heap limit of 2 GiB or more, V8 allows up to 4× the size the last full
 * collection left; the agent's live heap is ≈ 16 MiB with 100 VPCS, so garbage piles up to ≈ 40 MiB before the next
 * one, and the pages stay resident: RSS with 100 running read 69 MiB after one round of start/stop and 96–99 MiB
 * after 15. With 1.5× it read 80–81 MiB at most, for three more full collections in those 15 rounds
 * (docs/performance.md, "RSS after repeated use").
 * Set at run time because NODE_OPTIONS refuses this V8 flag and the single binary takes no other; it caps no heap
 * size, so it cannot make the daemon run out of memory. V8 flags are per process: relay workers get it too. Node only:
 * Deno freezes V8's flags once started (this call would be ignored), so `deno task start|agent` pass it, with Deno's
 * young generation bound, as `--v8-flags` (deno.json).
 */
import { setV8FlagUnlessGiven } from './node-flags.ts';

/** Old generation growth allowed past the last full collection's survivors, in percent. */
export const HEAP_GROWING_PERCENT = 50;

export function boundHeapGrowth(): void {
  setV8FlagUnlessGiven('--heap-growing-percent', HEAP_GROWING_PERCENT);
}
