/**
 * One CPU cgroup (cgroup v1 `cpu` controller, as root) holding the threads that forward frames, for bench/relay.ts.
 * The group competes for CPU as one scheduling entity of default weight, whatever its number of threads, so at max
 * rate on a shared host each forwarder gets the same CPU share: uBridge's two threads per bridge and the relay's
 * workers alike. Without it the four-bridge figures measured the thread count (eight uBridge threads against two
 * relay workers, on two cores shared with the generator, the sink and other work), not the forwarders.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import process from 'node:process';

const ROOT = '/sys/fs/cgroup/cpu';
/** Real-time time the group may use per second while its threads are SCHED_FIFO (the host keeps the rest). */
const RT_RUNTIME_US = 500_000;

export class CpuGroup {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Null where it cannot be made (not root, no cgroup v1 cpu controller): the bench then says so and runs without. */
  static open(): CpuGroup | null {
    const path = `${ROOT}/patchbay-bench-relay-${process.pid}`;
    try {
      if (!existsSync(`${ROOT}/tasks`)) return null;
      mkdirSync(path);
      return new CpuGroup(path);
    } catch {
      return null;
    }
  }

  /** Removes the groups of earlier runs whose bench process `dead` says is gone (killed before it could clean up). */
  static reapStale(dead: (pid: string) => boolean): void {
    if (!existsSync(`${ROOT}/tasks`)) return;
    for (const name of readdirSync(ROOT)) {
      const pid = /^patchbay-bench-relay-(\d+)$/.exec(name)?.[1];
      if (pid && dead(pid)) new CpuGroup(`${ROOT}/${name}`).remove();
    }
  }

  /** Moves every thread of process `pid` in; threads it starts later follow their parent thread. */
  addProcess(pid: number): void {
    writeFileSync(`${this.path}/cgroup.procs`, String(pid));
  }

  /** Moves threads of this process in, by kernel thread id. */
  addThreads(tids: string[]): void {
    for (const tid of tids) writeFileSync(`${this.path}/tasks`, tid);
  }

  /**
   * Makes every thread of the group SCHED_FIFO at `priority`, or (0) ordinary again: for latency runs, where the
   * generator and sink run at the same priority, so the host's other work cannot queue ahead of any measured process.
   */
  setRealtime(priority: number): void {
    // With RT group scheduling a group may hold real-time threads only while it has real-time runtime of its own.
    if (priority > 0) writeFileSync(`${this.path}/cpu.rt_runtime_us`, String(RT_RUNTIME_US));
    for (const tid of this.#tasks()) {
      try {
        execFileSync('chrt', priority > 0 ? ['-f', '-p', String(priority), tid] : ['-o', '-p', '0', tid], { stdio: 'ignore' });
      } catch (error) {
        if (existsSync(`/proc/${tid}`)) throw error;
      }
    }
    if (priority === 0) writeFileSync(`${this.path}/cpu.rt_runtime_us`, '0');
  }

  #tasks(): string[] {
    return readFileSync(`${this.path}/tasks`, 'utf8').split('\n').filter(Boolean);
  }

  /** Moves what is left back to the root group, then removes the group. */
  remove(): void {
    for (const tid of this.#tasks()) {
      try {
        writeFileSync(`${ROOT}/tasks`, tid);
      } catch {
        // The thread ended meanwhile.
      }
    }
    rmdirSync(this.path);
  }
}

