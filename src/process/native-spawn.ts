/**
 * Spawning through glibc's posix_spawn() with koffi (Node on Linux). libuv forks the agent for every child: the cost
 * grows with the agent's memory (its page tables are copied) and the main thread waits until the child has exec'd.
 * Measured on the 2-core CI machine kind: 9–25 ms per spawn for a 60–110 MiB agent, against 1.6–2.8 ms here whatever
 * the size (glibc clones with CLONE_VM | CLONE_VFORK, no copy). The call stays on the main thread: on libuv's thread
 * pool (koffi's async call) it queued behind the state file's fsync, and a start took 75–90 ms longer at 16 in flight.
 * libuv reaps only the children it started, so the exit of ours is watched through a pidfd that libuv polls
 * (koffi.node.poll) and reaped here with waitpid().
 */
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { isDeno } from '../runtime/index.ts';
import type { ExitInfo } from './supervised.ts';

/** A child started by `nativeSpawn`: its pid and its exit, reaped. */
export type NativeChild = { pid: number; exited: Promise<ExitInfo> };

type PollHandle = { close(): void };
type Binding = {
  /**
   * `output`: a descriptor for stdout and stderr, or a file the child opens (created or truncated) for both. `envp`
   * null: the agent's own environment, as it is at the call.
   */
  spawn(file: string, argv: string[], envp: string[] | null, cwd: string, stdin: number, output: number | string): number;
  pipe(): [number, number];
  pidfd(pid: number): number;
  /** waitpid(pid, WNOHANG): the raw status once the child has exited, else null. */
  reap(pid: number): number | null;
  poll(fd: number, onReadable: () => void): PollHandle;
};

// <spawn.h> and <fcntl.h> on Linux (glibc).
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_CLOEXEC = 0o2000000;
const O_LOG = 0o1 | 0o100 | 0o1000; // O_WRONLY | O_CREAT | O_TRUNC
/** As Node's open(): the umask decides. */
const LOG_MODE = 0o666;
const WNOHANG = 1;
/** Larger than glibc's posix_spawn_file_actions_t (80 B), posix_spawnattr_t (336 B) and sigset_t (128 B). */
const OPAQUE_BYTES = 512;
/** How often an exit is checked for when no pidfd could be opened (descriptor limit reached). */
const REAP_POLL_MS = 100;

const errnoNames = new Map(Object.entries(constants.errno).map(([name, number]) => [number, name]));
const signalNames = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

function errnoError(call: string, errno: number): NodeJS.ErrnoException {
  const code = errnoNames.get(errno) ?? `errno ${errno}`;
  const error: NodeJS.ErrnoException = new Error(`${call} ${code}`);
  error.code = code;
  error.errno = -errno;
  return error;
}

function bind(): Binding {
  type Fn = (...args: unknown[]) => number;
  type Koffi = {
    load(path: string | null): { func(signature: string): Fn; symbol(name: string): bigint };
    decode(pointer: bigint, type: string): bigint;
    errno(): number;
    node: { poll(fd: number, options: { readable: boolean }, callback: (status: number) => void): PollHandle };
  };
  // koffi is a CommonJS native addon; require keeps it out of Deno's module graph (Deno never calls this).
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  const fn = (signature: string) => lib.func(signature);
  const posixSpawn = fn('int posix_spawnp(_Out_ int *pid, const char *file, void *actions, void *attr, const char **argv, const char **envp)');
  // The same call handed `environ` itself: a child that only inherits the agent's environment costs no copy of it into
  // JavaScript strings and back (about a fifth of what a VPCS start allocated, for the young generation to collect).
  // Node's process.env reads and writes that same C environment (setenv/unsetenv), so the child sees what
  // `{ ...process.env }` would have given it. Looked up in the global scope, not libc's: Node's executable is not
  // position-independent and holds its own copy of `environ` (a copy relocation), and libc's symbol is left stale.
  const posixSpawnInherit = fn('int posix_spawnp(_Out_ int *pid, const char *file, void *actions, void *attr, const char **argv, void *envp)');
  const environ = koffi.load(null).symbol('environ');
  const actionsInit = fn('int posix_spawn_file_actions_init(void *actions)');
  const actionsDestroy = fn('int posix_spawn_file_actions_destroy(void *actions)');
  const addDup2 = fn('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)');
  const addOpen = fn('int posix_spawn_file_actions_addopen(void *actions, int fd, const char *path, int oflag, unsigned int mode)');
  // glibc ≥ 2.29 and ≥ 2.34: where they are missing, the binding fails and Node's spawn is used.
  const addChdir = fn('int posix_spawn_file_actions_addchdir_np(void *actions, const char *path)');
  const addCloseFrom = fn('int posix_spawn_file_actions_addclosefrom_np(void *actions, int from)');
  const attrInit = fn('int posix_spawnattr_init(void *attr)');
  const attrDestroy = fn('int posix_spawnattr_destroy(void *attr)');
  const setFlags = fn('int posix_spawnattr_setflags(void *attr, short flags)');
  const setSigDefault = fn('int posix_spawnattr_setsigdefault(void *attr, void *set)');
  const setSigMask = fn('int posix_spawnattr_setsigmask(void *attr, void *set)');
  const sigFillSet = fn('int sigfillset(void *set)');
  const sigEmptySet = fn('int sigemptyset(void *set)');
  const pipe2 = fn('int pipe2(_Out_ int *fds, int flags)');
  const pidfdOpen = fn('int pidfd_open(int pid, unsigned int flags)');
  const waitpid = fn('int waitpid(int pid, _Out_ int *status, int options)');

  // Every signal back to its default disposition (Node ignores SIGPIPE, and ignored stays ignored across exec) and
  // none blocked: what libuv does in its forked child too.
  const allSignals = Buffer.alloc(OPAQUE_BYTES);
  const noSignals = Buffer.alloc(OPAQUE_BYTES);
  sigFillSet(allSignals);
  sigEmptySet(noSignals);

  // glibc's spawn structures, initialised and destroyed around each call: the call is synchronous on this thread, so
  // one pair serves every spawn (two fresh ArrayBuffers per spawn were two backing stores for the GC to track and free).
  const actions = Buffer.alloc(OPAQUE_BYTES);
  const attr = Buffer.alloc(OPAQUE_BYTES);

  const binding: Binding = {
    spawn(file, argv, envp, cwd, stdin, output) {
      actionsInit(actions);
      attrInit(attr);
      try {
        addDup2(actions, stdin, 0);
        if (typeof output === 'string') {
          // Opened by the child between its clone and its exec: no open and close on the agent's thread pool (two round
          // trips per start) and no descriptor of the agent to close afterwards.
          addOpen(actions, 1, output, O_LOG, LOG_MODE);
          addDup2(actions, 1, 2);
        } else {
          addDup2(actions, output, 1);
          addDup2(actions, output, 2);
        }
        // Nothing of the agent's leaks into the emulator, even a descriptor opened without O_CLOEXEC.
        addCloseFrom(actions, 3);
        addChdir(actions, cwd);
        // A session (and process group) of its own, as Node's `detached`: a stop signals the whole group.
        setFlags(attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        setSigDefault(attr, allSignals);
        setSigMask(attr, noSignals);
        const pid = [0];
        const args = [...argv, null];
        const status = envp === null
          ? posixSpawnInherit(pid, file, actions, attr, args, koffi.decode(environ, 'void *'))
          : posixSpawn(pid, file, actions, attr, args, [...envp, null]);
        if (status !== 0) throw errnoError(`spawn ${file}`, status);
        return pid[0]!;
      } finally {
        actionsDestroy(actions);
        attrDestroy(attr);
      }
    },
    pipe() {
      const fds = [-1, -1];
      if (pipe2(fds, O_CLOEXEC) !== 0) throw errnoError('pipe2', koffi.errno());
      return [fds[0]!, fds[1]!];
    },
    pidfd(pid) {
      const fd = pidfdOpen(pid, 0);
      if (fd < 0) throw errnoError('pidfd_open', koffi.errno());
      return fd;
    },
    reap(pid) {
      const status = [0];
      return waitpid(pid, status, WNOHANG) === pid ? status[0]! : null;
    },
    poll: (fd, onReadable) => koffi.node.poll(fd, { readable: true }, onReadable),
  };
  // Kernels before 5.3 have no pidfd: better to know now than after a child has started.
  closeSync(binding.pidfd(process.pid));
  return binding;
}

let binding: Binding | null | undefined;
let unsupported: string | null = null;

/** The binding, loaded with the first spawn; null (with `nativeSpawnUnsupported()` saying why) where it cannot work. */
function load(): Binding | null {
  if (binding !== undefined) return binding;
  if (isDeno) unsupported = 'Deno spawns through its own runtime';
  else if (process.platform !== 'linux') unsupported = `posix_spawn through koffi is only used on Linux, not ${process.platform}`;
  else {
    try {
      binding = bind();
      return binding;
    } catch (err) {
      unsupported = `cannot bind posix_spawn: ${(err as Error).message}`;
    }
  }
  binding = null;
  return binding;
}

/** Why `nativeSpawn` cannot be used here (then the caller uses Node's spawn), or null when it can. */
export function nativeSpawnUnsupported(): string | null {
  load();
  return unsupported;
}

/** Decodes a waitpid() status. */
function exitInfo(status: number): ExitInfo {
  const signal = status & 0x7f;
  if (signal === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: signalNames.get(signal) ?? null };
}

/**
 * Starts `file` (a bare name is looked up on PATH, as Node's spawn does; never a shell) in `cwd`, in a new session, with `stdout` and
 * `stderr` on the given descriptor or on a log file the child opens (created or truncated), and stdin on a pipe the
 * agent holds until the exit (as Node's 'pipe'); or with a terminal's slave descriptor as all three. The child gets the
 * agent's environment plus `env`. Throws like Node's spawn (`spawn <file> ENOENT`, code set; a log file that cannot be
 * opened fails the spawn the same way).
 */
export function nativeSpawn(
  file: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; output: number | { terminal: number } | { file: string } },
): NativeChild {
  const native = load();
  if (!native) throw new Error(`Cannot spawn natively: ${unsupported}`);
  const envp = options.env === undefined
    ? null
    : Object.entries({ ...process.env, ...options.env }).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`]));
  const { output } = options;
  const terminal = typeof output === 'object' && 'terminal' in output ? output.terminal : null;
  const out = typeof output === 'number' ? output : 'file' in output ? output.file : output.terminal;
  const [stdin, keep] = terminal === null ? native.pipe() : [terminal, null];
  let pid: number;
  try {
    pid = native.spawn(file, [file, ...args], envp, options.cwd, stdin, out);
  } catch (err) {
    if (keep !== null) closeSync(keep);
    throw err;
  } finally {
    if (keep !== null) closeSync(stdin);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    let stopWatching: () => void;
    const check = () => {
      const status = native.reap(pid);
      if (status === null) return;
      stopWatching();
      if (keep !== null) closeSync(keep);
      resolve(exitInfo(status));
    };
    try {
      const pidfd = native.pidfd(pid);
      const handle = native.poll(pidfd, check);
      stopWatching = () => {
        handle.close();
        closeSync(pidfd);
      };
    } catch {
      // The child runs already and must not go unwatched.
      const timer = setInterval(check, REAP_POLL_MS);
      stopWatching = () => clearInterval(timer);
    }
  });
  return { pid, exited };
}
