/**
 * The pool's side of a native worker's doorbell (an eventfd in the worker's poll set, see io/native/linger.ts): one
 * 8-byte write after each control message ends the worker's wait for frames, so the message is handled at once. The
 * pool owns the descriptor once the worker has named it, and closes it when the worker is gone.
 */
import { closeSync, writeSync } from 'node:fs';
import { isDeno } from '../runtime/index.ts';

export type Doorbell = { ring(): void; close(): void };

/** Adds 1 to an eventfd's count (eventfd reads and writes are 8-byte counts in host order). */
const ONE = new Uint8Array(new BigUint64Array([1n]).buffer);

type Calls = { write(fd: number, bytes: Uint8Array): void; close(fd: number): void };

/**
 * Node writes to any descriptor through node:fs; Deno's node:fs only knows its own resources, so there libc's write
 * and close are bound (with the first doorbell: a pool on the dgram backend never binds them).
 */
function bind(): Calls {
  if (!isDeno) return { write: (fd, bytes) => writeSync(fd, bytes), close: closeSync };
  type DenoFfi = { dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, (...args: unknown[]) => unknown> } };
  const { symbols } = (globalThis as unknown as { Deno: DenoFfi }).Deno.dlopen('libc.so.6', {
    write: { parameters: ['i32', 'buffer', 'usize'], result: 'isize' },
    close: { parameters: ['i32'], result: 'i32' },
  });
  return { write: (fd, bytes) => void symbols.write!(fd, bytes, BigInt(bytes.length)), close: (fd) => void symbols.close!(fd) };
}

let calls: Calls | undefined;

export function openDoorbell(fd: number): Doorbell {
  calls ??= bind();
  const { write, close } = calls;
  let open = true;
  return {
    // The count cannot overflow (it would take 2^64 rings between two reads), so a write never fails on a live worker.
    ring: () => {
      if (open) write(fd, ONE);
    },
    close: () => {
      if (open) close(fd);
      open = false;
    },
  };
}
