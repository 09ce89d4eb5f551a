/**
 * Deno freezes V8's flags once it has started (a run-time `v8.setFlagsFromString` is ignored there), so the daemon's
 * young generation and heap growth bounds reach Deno only through `deno task start|agent` (deno.json). Without them
 * Deno's young generation grew to 52 MiB and the agent's RSS to 150–175 MiB over 15 rounds of 100 VPCS starts
 * (docs/performance.md). This checks that both tasks carry the flags and, in Deno child processes, that Deno honours
 * them: a churning script's peak heap (young and old generation) is far lower with them than with Deno's defaults.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { denoTaskV8Flags, ROOT } from '../helpers/daemon.ts';
import { heapChurnScript } from '../helpers/heap-churn.ts';

const DENO = join(ROOT, 'node_modules', '.bin', 'deno');

/** Peak committed heap in MiB of a Deno child that keeps a live set and churns objects, with `v8Flags` (comma-separated) or none. */
function peakHeapMiB(v8Flags: string): number {
  const flags = v8Flags ? [`--v8-flags=${v8Flags}`] : [];
  return JSON.parse(execFileSync(DENO, ['eval', ...flags, heapChurnScript('total_heap_size')], { encoding: 'utf8' })).peak;
}

t.test('deno task start and deno task agent run Deno with the same V8 flags', async (t) => {
  t.not(denoTaskV8Flags('agent'), '', 'deno task agent gives --v8-flags');
  t.equal(denoTaskV8Flags('start'), denoTaskV8Flags('agent'));
});

t.test("Deno's heap stays far smaller with the tasks' V8 flags", async (t) => {
  const free = peakHeapMiB('');
  const bound = peakHeapMiB(denoTaskV8Flags('agent'));
  t.ok(bound < free * 0.7, `peak heap ${bound.toFixed(1)} MiB with the tasks' flags against ${free.toFixed(1)} MiB by default`);
});
