/**
 * Holds V8's optimising compiler (TurboFan) back while the daemon, or a relay worker, loads its modules (issue 12).
 * Node's ES module loader runs a few of its own functions (URL to path conversions...) often enough over many modules
 * for TurboFan to optimise them at start-up, and a thread's first optimised function costs ≈ 2 MiB of RSS (the
 * compiler's pages and code space) that an idle daemon or worker does not need (docs/performance.md). Once `resume`
 * has run, functions that get hot later (request handling, the relay's forwarding) are optimised as usual.
 * Node only: only the optimising tier's on/off switch is flipped at run time, no heap sizes (which V8 reads at start).
 */
import v8 from 'node:v8';
import { isDeno } from './index.ts';
import { givenByUser } from './node-flags.ts';

/** Whether Node was told to run without the optimising tier, which resuming would otherwise switch back on. */
const optimisingOffByUser = (): boolean => givenByUser('--no-opt') || givenByUser('--jitless');

export function holdOptimisingCompiler(): () => void {
  if (isDeno || optimisingOffByUser()) return () => {};
  v8.setFlagsFromString('--no-opt');
  return () => v8.setFlagsFromString('--opt');
}
