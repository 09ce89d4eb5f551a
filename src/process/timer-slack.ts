/**
 * Linux timer slack for a child, set race-free at its creation: the kernel copies the creating thread's slack into a
 * child (fork, vfork, posix_spawn) and keeps it across execve, and the child's threads inherit it in turn. So the
 * agent's spawning thread takes the child's slack just around the synchronous spawn call and gets its own back right
 * after; nothing else runs on that thread in between. (Setting it later through /proc/<pid>/timerslack_ns would miss
 * threads the emulator has already created, and needs CAP_SYS_NICE.) prctl() is bound with koffi on Node and with
 * Deno.dlopen on Deno; elsewhere, or where it cannot be bound, the spawn runs with the agent's slack.
 */
import { createRequire } from 'node:module';
import { isDeno } from '../runtime/index.ts';

/** <linux/prctl.h> */
const PR_SET_TIMERSLACK = 29;
const PR_GET_TIMERSLACK = 30;

type Prctl = (option: number, value: number) => number;

function bindKoffi(): Prctl {
  type Koffi = { load(path: string): { func(signature: string): (...args: unknown[]) => number } };
  // koffi is a CommonJS native addon; require keeps it out of Deno's module graph.
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, ...)');
  return (option, value) => prctl(option, 'unsigned long', value, 'unsigned long', 0, 'unsigned long', 0, 'unsigned long', 0);
}

function bindDeno(): Prctl {
  type DenoFfi = { dlopen(path: string, symbols: Record<string, unknown>): { symbols: { prctl(option: number, ...values: bigint[]): number } } };
  // Deno's FFI has no variadic calls; on the 64-bit Linux ABIs integer arguments travel the same way either way.
  const { symbols } = (globalThis as unknown as { Deno: DenoFfi }).Deno.dlopen('libc.so.6', {
    prctl: { parameters: ['i32', 'u64', 'u64', 'u64', 'u64'], result: 'i32' },
  });
  return (option, value) => symbols.prctl(option, BigInt(value), 0n, 0n, 0n);
}

let prctl: Prctl | null | undefined;

function load(): Prctl | null {
  if (prctl !== undefined) return prctl;
  prctl = null;
  if (process.platform !== 'linux') return prctl;
  try {
    prctl = isDeno ? bindDeno() : bindKoffi();
  } catch {
    // No FFI here (e.g. Deno without --allow-ffi): children keep the agent's slack, which only costs CPU.
  }
  return prctl;
}

/**
 * Runs `spawn` (which must create its child synchronously, on this thread) with this thread's timer slack set to
 * `slackNs`, then restores the previous slack, so the child and every thread it creates start with `slackNs`.
 */
export function withTimerSlack<T>(slackNs: number, spawn: () => T): T {
  const call = load();
  const previous = call ? call(PR_GET_TIMERSLACK, 0) : -1;
  if (!call || previous < 0 || call(PR_SET_TIMERSLACK, slackNs) !== 0) return spawn();
  try {
    return spawn();
  } finally {
    call(PR_SET_TIMERSLACK, previous);
  }
}
