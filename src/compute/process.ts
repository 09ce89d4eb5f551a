/** Emulator process supervision: spawn without a shell in its own process group, stop with TERM then KILL. */
import { spawn, type ChildProcess } from 'node:child_process';

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export type SpawnOptions = {
  cwd: string;
  /** Extra environment variables on top of the agent's. */
  env?: Record<string, string>;
  /** Where stdout/stderr go: an open file descriptor (log file) or pipes the caller reads. */
  output: number | 'pipe';
};

export class Supervised {
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  #alive = true;

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#alive = false;
        resolve({ code, signal });
      });
    });
  }

  /** Spawns `file` with `args` (never through a shell); rejects if the binary cannot be started. */
  static spawn(file: string, args: readonly string[], options: SpawnOptions): Promise<Supervised> {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', options.output, options.output],
      // Own process group, so a stop also reaches anything the emulator forked.
      detached: true,
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        // An error after spawn (e.g. EPIPE on stdin) must not crash the agent; exit is what we track.
        child.on('error', () => {});
        child.stdin?.on('error', () => {});
        resolve(new Supervised(child));
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.#alive;
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Sends SIGTERM to the process group, then SIGKILL after `graceMs`; resolves once the process exited. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    if (!this.#alive) return this.exited;
    this.#signal('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#signal('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    const info = await this.exited;
    // Leftovers in the group (forked helpers) go too.
    this.#signal('SIGKILL');
    return info;
  }
}
