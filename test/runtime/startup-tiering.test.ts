/**
 * holdOptimisingCompiler flips V8's optimising tier off and on at run time, which Node leaves unspecified: these checks
 * ask V8 itself (natives syntax, in a child process) whether a hot function is optimised, so a Node upgrade that stops
 * honouring the switch fails here instead of leaving the relay's forwarding code unoptimised.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/runtime/startup-tiering.ts', import.meta.url));

/** Runs a hot loop with the compiler `held` (or not), then with it resumed; says when `drive` was optimised. */
function probe(held: boolean, flags: string[] = []): { during: boolean; after: boolean } {
  const script = `
    const { holdOptimisingCompiler } = await import(${JSON.stringify(MODULE)});
    const optimised = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0');
    const hot = (x) => x * 2 + 1;
    function drive(n) { let s = 0; for (let i = 0; i < n; i++) s += hot(i); return s; }
    const resume = ${held} ? holdOptimisingCompiler() : () => {};
    for (let i = 0; i < 2000; i++) drive(1000);
    const during = optimised(drive);
    resume();
    for (let i = 0; i < 2000; i++) drive(1000);
    console.log(JSON.stringify({ during, after: optimised(drive) }));`;
  // Optimised on the thread that runs the loop, at once: a background compile can still be queued at the check when the
  // machine is loaded, which made this test fail once under load.
  const args = ['--import', 'tsx', '--allow-natives-syntax', '--no-concurrent-recompilation', ...flags, '--input-type=module', '-e', script];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(out);
}

t.test('the loop is hot enough to be optimised without the hold', async (t) => {
  t.same(probe(false), { during: true, after: true });
});

t.test('nothing is optimised while held, and hot code is once resumed', async (t) => {
  t.same(probe(true), { during: false, after: true });
});

t.test("a user's own --no-opt is left in force", async (t) => {
  t.same(probe(true, ['--no-opt']), { during: false, after: false });
});
