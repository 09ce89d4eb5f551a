/**
 * Pseudo-terminals for emulators that refuse to run without one (Debian's VPCS 0.5b2), opened in-process through
 * libc's openpty() with koffi: the emulator gets the terminal as stdin/stdout/stderr and no helper process runs
 * beside it. koffi is loaded with the first terminal, so agents that never start such an emulator never load it.
 */
import { ReadStream } from 'node:tty';
import { closeSync } from 'node:fs';
import { isDeno } from '../../runtime/index.ts';
import type { ConsoleBackend } from './telnet-console.ts';
import { duplexBackend } from './backends.ts';

/** Both ends of a terminal: the emulator gets `slave`, the agent reads and writes `master`. */
export type Pty = { master: number; slave: number };

type Libc = {
  openpty: (master: number[], slave: number[], name: null, termios: null, winsize: null) => number;
  fcntl: (fd: number, cmd: number, ...vararg: unknown[]) => number;
};

const F_SETFD = 2;
const FD_CLOEXEC = 1;

/** Why this process cannot hand a terminal to a child, or null when it can. */
export function ptyUnsupported(): string | null {
  if (isDeno) return "Deno's child processes cannot inherit a raw file descriptor such as a pseudo-terminal";
  if (process.platform !== 'linux') return `in-process pseudo-terminals are only implemented for Linux, not ${process.platform}`;
  return null;
}

let libc: Promise<Libc> | undefined;

function loadLibc(): Promise<Libc> {
  libc ??= import('koffi').then(({ default: koffi }) => {
    const lib = koffi.load('libc.so.6');
    return {
      openpty: lib.func('int openpty(_Out_ int *amaster, _Out_ int *aslave, void *name, void *termp, void *winp)'),
      fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
    } as unknown as Libc;
  });
  libc.catch(() => (libc = undefined));
  return libc;
}

/** Opens a terminal whose two descriptors close on exec: only the child that is given `slave` keeps it. */
export async function openPty(): Promise<Pty> {
  const reason = ptyUnsupported();
  if (reason) throw new Error(`Cannot open a pseudo-terminal: ${reason}`);
  const { openpty, fcntl } = await loadLibc();
  const master = [-1];
  const slave = [-1];
  if (openpty(master, slave, null, null, null) !== 0) throw new Error('Cannot open a pseudo-terminal: openpty() failed');
  // Not atomic with openpty(), but this thread is the only one that spawns processes.
  for (const fd of [master[0]!, slave[0]!]) fcntl(fd, F_SETFD, 'int', FD_CLOEXEC);
  return { master: master[0]!, slave: slave[0]! };
}

/** Closes the agent's copy of the emulator's end, once the emulator has it (or could not be started). */
export function closeSlave(pty: Pty): void {
  closeSync(pty.slave);
}

/** The console backend on the master side; `close` releases the terminal. */
export function ptyBackend(pty: Pty): ConsoleBackend & { close(): void } {
  // Reading fails with EIO once the emulator has exited and closed its end: the exit itself is tracked on the process.
  return duplexBackend(new ReadStream(pty.master));
}
