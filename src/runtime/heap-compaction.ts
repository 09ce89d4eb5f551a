/**
 * Has V8 compact the old generation at its next full collection whenever the last one left much free space in its
 * pages (issue 12). By default V8 evacuates only pages that are mostly free; the agent's objects for a running node
 * live from its start to its stop and reach the old generation among objects that stay, so over many rounds of starts
 * and stops the old space kept 22–24 MiB of pages for 13 MiB of objects, and RSS with 100 VPCS running crept up by
 * ≈ 0.1 MiB a round (docs/performance.md, "seventh session").
 * Not at every full collection: a compacting one pauses the main thread ≈ 20 ms instead of ≈ 4, and compacting from
 * start-up on made a fresh agent's first start of 100 VPCS slower, while the creep only builds up over many rounds.
 * V8 flags are per process, so a relay worker's full collection compacts too while the flag is on (their latency and
 * CPU per frame measured unchanged with it on all the time). A user's own `--compact-on-every-full-gc` or
 * `--no-compact-on-every-full-gc` on node's command line wins. Node only: Deno freezes V8's flags once started.
 */
import v8 from 'node:v8';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { isDeno } from './index.ts';
import { givenByUser } from './node-flags.ts';

/**
 * Free space a full collection may leave in the old generation's pages before the next one compacts, in MiB: more than
 * the agent's first collections leave (≤ 6 MiB), less than what had built up when RSS passed 80 MiB (8–11 MiB).
 */
export const FREE_AFTER_COLLECTION_LIMIT_MIB = 8;

/** A `gc` entry of a mark-compact (its kind is in `detail` since Node 16). */
const isFullCollection = (entry: PerformanceEntry) =>
  (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

export function compactWhenFragmented(): void {
  if (isDeno || givenByUser('--compact-on-every-full-gc') || givenByUser('--no-compact-on-every-full-gc')) return;
  let compacting = false;
  new PerformanceObserver((list) => {
    if (!list.getEntries().some(isFullCollection)) return;
    const old = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')!;
    const fragmented = old.space_size - old.space_used_size > FREE_AFTER_COLLECTION_LIMIT_MIB * 2 ** 20;
    if (fragmented === compacting) return;
    compacting = fragmented;
    v8.setFlagsFromString(fragmented ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc');
  }).observe({ entryTypes: ['gc'] });
}
