/** Emulator process supervision: spawn without a shell in its own process group, stop with TERM then KILL. */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { open } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { withGrantedCapabilities } from './capabilities.ts';
import { nativeSpawn, nativeSpawnUnsupported } from './native-spawn.ts';
import { withTimerSlack } from './timer-slack.ts';

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export type SpawnOptions = {
  cwd: string;
  /** Extra environment variables on top of the agent's. */
  env?: Record<string, string>;
  /**
   * Where stdout/stderr go: an open file descriptor, a log file (created or truncated at the spawn), or pipes the
   * caller reads (stdin is a pipe then); or a terminal's slave descriptor as stdin, stdout and stderr.
   */
  output: number | 'pipe' | { terminal: number } | { file: string };
  /**
   * Gives the child the capabilities the service was granted (process/capabilities.ts). Only for host networking
   * tools (dnsmasq binds DHCP and DNS ports); emulators never get them.
   */
  grantCapabilities?: boolean;
  /** Linux timer slack (ns) the process and its threads start with (see timer-slack.ts); the agent's when absent. */
  timerSlackNs?: number;
};

/** Told when a supervised process starts and when it exits (restart bookkeeping, per-process metrics). */
export type ProcessWatcher = (event: 'spawn' | 'exit', process: Supervised) => void;

const watchers = new Set<ProcessWatcher>();
const live = new Set<Supervised>();

/** Subscribes to spawn/exit of every supervised process; returns the unsubscribe function. */
export function watchProcesses(watcher: ProcessWatcher): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** Supervised processes that have not exited yet. */
export function runningProcesses(): Supervised[] {
  return [...live];
}

function announce(event: 'spawn' | 'exit', process: Supervised): void {
  for (const watcher of watchers) watcher(event, process);
}

/**
 * Every process below `pid`, read from /proc (Linux). Emulators may fork helpers into their own session
 * (VPCS 0.8 does), which a process-group signal misses; on other systems the list is empty.
 */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const visit = (parent: number) => {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      return;
    }
    for (const task of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/**
 * Processes (other than us) whose working directory is `dir`, from /proc (Linux; empty elsewhere). An emulator's
 * helpers inherit its node directory, so this finds a setsid()'d child even after its parent died and it was
 * re-parented to init (VPCS 0.8's packet reader then spins at ~40 % CPU forever).
 */
export function processesIn(dir: string): number[] {
  try {
    dir = realpathSync(dir); // /proc shows resolved paths.
  } catch {
    // Removed already: /proc shows the old path marked "(deleted)".
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return pids.map(Number).filter((pid) => {
    if (pid === process.pid) return false;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cwd === dir || cwd === `${dir} (deleted)`;
    } catch {
      return false;
    }
  });
}

/** The pipes of a process spawned with `output: 'pipe'`. */
export type ProcessPipes = { stdin: Writable; stdout: Readable; stderr: Readable };

export class Supervised {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** Set for `output: 'pipe'` only. */
  readonly pipes: ProcessPipes | null;
  /** What was launched, as given to spawn (the working directory is the node directory). */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  #alive = true;

  private constructor(
    started: { pid: number; exited: Promise<ExitInfo>; pipes: ProcessPipes | null },
    file: string,
    args: readonly string[],
    cwd: string,
  ) {
    this.pid = started.pid;
    this.pipes = started.pipes;
    this.file = file;
    this.args = args;
    this.cwd = cwd;
    this.exited = started.exited.then((info) => {
      this.#alive = false;
      live.delete(this);
      announce('exit', this);
      return info;
    });
    live.add(this);
    announce('spawn', this);
  }

  /**
   * Spawns `file` with `args` (never through a shell) in a session and process group of its own, so a stop also
   * reaches anything the emulator forked; rejects if the binary cannot be started. Output to a descriptor or a
   * terminal goes through posix_spawn where it works (see native-spawn.ts: no fork of the agent), pipes through Node.
   */
  static async spawn(file: string, args: readonly string[], options: SpawnOptions): Promise<Supervised> {
    const { output, timerSlackNs } = options;
    // Both settings apply to the thread that spawns, just around the call that creates the child.
    const start = <T>(spawnNow: () => T): T => {
      const granted = options.grantCapabilities ? () => withGrantedCapabilities(spawnNow) : spawnNow;
      return timerSlackNs === undefined ? granted() : withTimerSlack(timerSlackNs, granted);
    };
    if (output !== 'pipe' && nativeSpawnUnsupported() === null) {
      const started = start(() => nativeSpawn(file, args, { cwd: options.cwd, env: options.env, output }));
      return new Supervised({ ...started, pipes: null }, file, [...args], options.cwd);
    }
    // Opened off the main thread (truncation can wait for the file system's journal); the child has its own copy.
    const log = typeof output === 'object' && 'file' in output ? await open(output.file, 'w') : null;
    const stdio: StdioOptions = typeof output !== 'object'
      ? ['pipe', output, output]
      : 'terminal' in output ? [output.terminal, output.terminal, output.terminal] : ['pipe', log!.fd, log!.fd];
    let child: ChildProcess;
    let exited: Promise<ExitInfo>;
    try {
      // Node and Deno both create the child inside this call, on this thread.
      const env = options.env && { ...process.env, ...options.env };
      child = start(() => spawn(file, args, { cwd: options.cwd, env, stdio, detached: true }));
      exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => {
          child.off('error', reject);
          // An error after spawn (e.g. EPIPE on stdin) must not crash the agent; exit is what we track.
          child.on('error', () => {});
          child.stdin?.on('error', () => {});
          resolve();
        });
      });
    } finally {
      // Not waited for: a start need not pay one more thread-pool round trip.
      log?.close().catch(() => {});
    }
    const pipes = output === 'pipe' ? { stdin: child.stdin!, stdout: child.stdout!, stderr: child.stderr! } : null;
    return new Supervised({ pid: child.pid!, exited, pipes }, file, [...args], options.cwd);
  }

  get alive(): boolean {
    return this.#alive;
  }

  #signal(signal: NodeJS.Signals): void {
    for (const target of [-this.pid, this.pid]) {
      try {
        process.kill(target, signal);
        return;
      } catch {
        // No such group (already gone, or it never became a group leader): try the process itself.
      }
    }
  }

  /**
   * Stops the process: SIGTERM to the process group, SIGKILL after `graceMs` (0 kills at once). Descendants that
   * left the group are killed too, and if the process had already exited on its own, whatever still runs in its
   * working directory. Resolves once all of them are gone.
   */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    const diedAlone = !this.#alive;
    if (this.#alive) {
      const strays = descendants(this.pid);
      if (graceMs > 0) {
        this.#signal('SIGTERM');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([this.exited, timeout]);
        clearTimeout(timer);
      }
      this.#signal('SIGKILL');
      await killAll(strays);
    }
    const info = await this.exited;
    // A process that died on its own left its children to init, out of reach of `descendants`.
    if (diedAlone) await killAll(processesIn(this.cwd));
    return info;
  }
}

/** True while `pid` runs; a zombie (exited, not yet reaped by its parent) holds nothing and counts as gone. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return !existsSync('/proc/self/stat'); // No /proc entry on Linux means gone.
    } catch {
      return false;
    }
  }
}

/** SIGKILLs `pids` and waits (up to 2 s) until they are gone, so their ports are free when a stop returns. */
async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = performance.now() + 2000;
  for (let wait = 0; pids.some(running) && performance.now() < deadline; wait = Math.min(wait + 1, 10)) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
