/**
 * How long one thread of this process has wanted a CPU: the time it ran plus the time it waited, runnable, for one
 * (`/proc/self/task/<tid>/schedstat`, nanoseconds, kept by the kernel with CONFIG_SCHED_INFO). The relay's placement
 * uses it rather than CPU time alone: on a host busy with other work a saturated worker gets less than a core, yet is
 * runnable all the time, and a second worker would get it more CPU (the scheduler shares per thread).
 */
import { readFileSync } from 'node:fs';

/** Seconds the thread has run or waited to run since it started; null without /proc (or once it has exited). */
export function threadDemandSeconds(tid: number): number | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ');
    return (Number(run) + Number(wait)) / 1e9;
  } catch {
    return null;
  }
}
