/**
 * delayTierUp raises V8's tick count before TurboFan at run time, which Node leaves unspecified: a child process asks
 * V8 itself (natives syntax) whether a warm function is optimised, so a Node upgrade that ignores the setting fails
 * here instead of letting TurboFan compile the daemon's request handling again (issue 12).
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/runtime/tier-up.ts', import.meta.url));

/** Calls a mid-sized function `warm` times, then `hot` times more; says when it was optimised. */
function probe(delayed: boolean, flags: string[] = []): { warm: boolean; hot: boolean } {
  const script = `
    const { delayTierUp } = await import(${JSON.stringify(MODULE)});
    if (${delayed}) delayTierUp();
    const optimised = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0');
    // Too much bytecode for V8's early optimisation of small functions: the tick count decides when it is optimised.
    function work(o) {
      let s = 0;
      s += o.a * 3 + o.b; s ^= o.c << 2; s += (o.d | 0) * 7; s -= o.e >> 1; s += o.a * o.b; s ^= o.c * o.d;
      s += o.e * 5 + o.a; s ^= o.b << 3; s += (o.c | 0) * 11; s -= o.d >> 2; s += o.e * o.a; s ^= o.b * o.c;
      return s;
    }
    const o = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    // With V8's 3 ticks it is optimised after ≈ 1300 calls here, with 12 after ≈ 4100.
    for (let i = 0; i < 2500; i++) work(o);
    const warm = optimised(work);
    for (let i = 0; i < 20000; i++) work(o);
    console.log(JSON.stringify({ warm, hot: optimised(work) }));`;
  // Synchronous compilation, so that a loaded machine cannot leave an optimisation queued when the check runs.
  const args = ['--import', 'tsx', '--allow-natives-syntax', '--no-concurrent-recompilation', ...flags, '--input-type=module', '-e', script];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

const cases: Array<[string, boolean, string[], { warm: boolean; hot: boolean }]> = [
  ['by default a warm function is optimised', false, [], { warm: true, hot: true }],
  ['delayed, only a function that stays hot is', true, [], { warm: false, hot: true }],
  ["a user's own --ticks-before-optimization is left in force", true, ['--ticks-before-optimization=3'], { warm: true, hot: true }],
];
for (const [name, delayed, flags, expected] of cases) t.test(name, async (t) => t.same(probe(delayed, flags), expected));
