/**
 * boundHeapGrowth sets V8's heap growing factor at run time, which Node leaves unspecified: a child process keeps a
 * live set and churns objects that reach the old generation, and the peak of its used heap says whether V8 honoured
 * the setting (a Node upgrade that ignores it fails here instead of letting the daemon's RSS drift again, issue 12).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heapChurnScript } from '../helpers/heap-churn.ts';

const MODULE = fileURLToPath(new URL('../../src/runtime/heap-growth.ts', import.meta.url));

/** Peak used heap in MiB of a churning child, with the growth bound applied or not, under extra Node `flags`. */
function peakHeapMiB(bound: boolean, flags: string[] = []): number {
  const script = heapChurnScript('used_heap_size', `if (${bound}) (await import(${JSON.stringify(MODULE)})).boundHeapGrowth();`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--max-semi-space-size=1', ...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out).peak;
}

t.test('the old generation grows far less past its live size once bounded', async (t) => {
  const free = peakHeapMiB(false);
  const bound = peakHeapMiB(true);
  t.ok(bound < free * 0.7, `peak used heap ${bound.toFixed(1)} MiB bounded against ${free.toFixed(1)} MiB by default`);
});

t.test("a user's own --heap-growing-percent is left in force", async (t) => {
  const generous = peakHeapMiB(true, ['--heap-growing-percent=300']);
  const bound = peakHeapMiB(true);
  t.ok(bound < generous * 0.7, `peak used heap ${bound.toFixed(1)} MiB bounded against ${generous.toFixed(1)} MiB with the user's 300 %`);
});
