/**
 * Linux timer slack for a child, set race-free at its creation: the kernel copies the creating thread's slack into a
 * child (fork, vfork, posix_spawn) and keeps it across execve, and the child's threads inherit it in turn. So the
 * agent's spawning thread takes the child's slack just around the synchronous spawn call and gets its own back right
 * after; nothing else runs on that thread in between. (Setting it later through /proc/<pid>/timerslack_ns would miss
 * threads the emulator has already created, and needs CAP_SYS_NICE.)
 */
import { prctl } from './thread-calls.ts';

/** <linux/prctl.h> */
const PR_SET_TIMERSLACK = 29;
const PR_GET_TIMERSLACK = 30;

function currentSlack(): number {
  if (process.platform !== 'linux') return -1;
  try {
    return prctl(PR_GET_TIMERSLACK);
  } catch {
    // libc not bound (Deno without --allow-ffi): children keep the agent's slack, which only costs CPU.
    return -1;
  }
}

/**
 * Runs `spawn` (which must create its child synchronously, on this thread) with this thread's timer slack set to
 * `slackNs`, then restores the previous slack, so the child and every thread it creates start with `slackNs`.
 */
export function withTimerSlack<T>(slackNs: number, spawn: () => T): T {
  const previous = currentSlack();
  if (previous < 0 || prctl(PR_SET_TIMERSLACK, slackNs) !== 0) return spawn();
  try {
    return spawn();
  } finally {
    prctl(PR_SET_TIMERSLACK, previous);
  }
}
