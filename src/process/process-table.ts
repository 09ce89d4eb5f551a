/**
 * A snapshot of the host's processes (pid, parent, group, start time, argv), read from /proc on Linux and from
 * `ps` elsewhere. The reaper uses it to recognise emulators left behind by a previous agent without trusting a pid
 * alone: pids are reused, a pid plus its start time is not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export type ProcessInfo = {
  pid: number;
  ppid: number;
  pgid: number;
  /** Kernel start time in clock ticks since boot (Linux), or `ps`'s lstart text; null if unknown. */
  startTime: string | null;
  argv: string[];
  /** Exited but not yet reaped by its parent: holds no ports and no memory. */
  zombie: boolean;
};

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function readLinux(pid: number): ProcessInfo | null {
  try {
    const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
    if (argv.at(-1) === '') argv.pop();
    // After the name: state(0) ppid(1) pgrp(2) session(3) ... starttime(19).
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] ?? null, argv, zombie: fields[0] === 'Z' };
  } catch {
    return null; // Gone between listing and reading.
  }
}

let procFs: boolean | undefined;
const hasProc = () => (procFs ??= existsSync('/proc/self/stat'));

/** One process, or null if it no longer exists. */
export function processInfo(pid: number): ProcessInfo | null {
  if (hasProc()) return readLinux(pid);
  return listProcesses().find((p) => p.pid === pid) ?? null;
}

/** Every process visible to us. */
export function listProcesses(): ProcessInfo[] {
  if (hasProc()) {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readLinux(Number(name)))
      .filter((p): p is ProcessInfo => p !== null);
  }
  // macOS/BSD: lstart is five words ("Wed Nov 25 21:47:01 2026"); the command line is everything after it.
  const output = execFileSync('ps', ['-axww', '-o', 'pid=,ppid=,pgid=,stat=,lstart=,command='], { encoding: 'utf8' });
  return output.split('\n').filter((line) => line.trim()).map((line) => {
    const words = line.trim().split(/\s+/);
    return {
      pid: Number(words[0]),
      ppid: Number(words[1]),
      pgid: Number(words[2]),
      zombie: words[3]!.startsWith('Z'),
      startTime: words.slice(4, 9).join(' '),
      // ps joins argv with spaces; good enough to compare with a recorded argv that has no spaces in its arguments.
      argv: words.slice(9),
    };
  });
}

/**
 * The start time to record for a process we just spawned (null if it could not be read). On Linux only its stat is
 * read: reading a child's cmdline right after exec waits for the child's memory map, which it is still setting up
 * (≈ 2.8 ms per VPCS start at 16 in flight, on the main thread).
 */
export function startTimeOf(pid: number): string | null {
  if (!hasProc()) return processInfo(pid)?.startTime ?? null;
  try {
    return statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[19] ?? null;
  } catch {
    return null;
  }
}
