/**
 * Makes V8 wait longer before it optimises a function with TurboFan (issue 12). The daemon's request handling runs a
 * few hundred to a few thousand times per lab operation, and with V8's default of 3 budget ticks TurboFan kept
 * compiling it long after warm-up: 135 functions over 800 VPCS starts and stops of a warmed-up agent, 5–19 ms of
 * compilation each on V8's background threads, ≈ 0.3–0.4 ms of CPU per start that code never paid back
 * (docs/performance.md, "the state file's journal" and "a later tier-up"). With 12 ticks only code that stays hot is
 * optimised. The relay's forwarding loops run per frame, thousands of times a second under traffic, and still get
 * optimised within a fraction of a second. V8 flags are per process: relay workers get it too. Node only: Deno freezes
 * V8's flags once started.
 */
import { setV8FlagUnlessGiven } from './node-flags.ts';

/** Interrupt-budget ticks a function must use up before TurboFan considers it (V8's default: 3). */
export const TICKS_BEFORE_OPTIMIZATION = 12;

export function delayTierUp(): void {
  setV8FlagUnlessGiven('--ticks-before-optimization', TICKS_BEFORE_OPTIMIZATION);
}
