/**
 * libc through Deno.dlopen (Deno). Readiness: one poll() per worker, called with `nonblocking: true` so it waits on
 * Deno's blocking-call thread and resolves on the event loop; an eventfd wakes it when the watched set changes.
 * (koffi's calls work under Deno but its poll fires only once.)
 */
import { MAP_SHARED, PROT_READ_WRITE } from './libc.ts';
import type { Libc, NativeMemory, Unwatch } from './libc.ts';
import { pollReturned, pollSetBytes, writePollSet } from './layout.ts';

type Pointer = object | null;
type DenoFfi = {
  dlopen(path: string, symbols: Record<string, unknown>): { symbols: Record<string, (...args: unknown[]) => unknown> };
  UnsafePointer: { of(buffer: ArrayBuffer | Uint8Array): Pointer; value(pointer: Pointer): number | bigint };
  UnsafePointerView: (new (pointer: NonNullable<Pointer>) => { getInt32(offset?: number): number }) & {
    getArrayBuffer(pointer: NonNullable<Pointer>, length: number): ArrayBuffer;
  };
};

const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;

/** mmap's MAP_FAILED, (void *) -1. */
const MAP_FAILED = 2n ** 64n - 1n;

const I32 = 'i32';
const SIZE = 'usize';

export function bindLibcDeno(): Libc {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  const { symbols } = deno.dlopen('libc.so.6', {
    socket: { parameters: [I32, I32, I32], result: I32 },
    bind: { parameters: [I32, SIZE, 'u32'], result: I32 },
    setsockopt: { parameters: [I32, I32, I32, SIZE, 'u32'], result: I32 },
    getsockopt: { parameters: [I32, I32, I32, SIZE, SIZE], result: I32 },
    mmap: { parameters: [SIZE, SIZE, I32, I32, I32, 'i64'], result: 'pointer' },
    munmap: { parameters: [SIZE, SIZE], result: I32 },
    ioctl: { parameters: [I32, 'u64', SIZE], result: I32 },
    open: { parameters: [SIZE, I32], result: I32 },
    close: { parameters: [I32], result: I32 },
    read: { parameters: [I32, SIZE, SIZE], result: 'isize' },
    write: { parameters: [I32, SIZE, SIZE], result: 'isize' },
    recvmmsg: { parameters: [I32, SIZE, 'u32', I32, SIZE], result: I32 },
    sendmmsg: { parameters: [I32, SIZE, 'u32', I32], result: I32 },
    eventfd: { parameters: ['u32', I32], result: I32 },
    __errno_location: { parameters: [], result: 'pointer' },
    malloc: { parameters: [SIZE], result: 'pointer' },
    free: { parameters: ['pointer'], result: 'void' },
    poll: { parameters: [SIZE, 'u64', I32], result: I32, nonblocking: true },
    // The same poll() called on the JavaScript thread itself (linger.ts), which it blocks meanwhile.
    pollHere: { name: 'poll', parameters: [SIZE, 'u64', I32], result: I32 },
  });
  const call = symbols as Record<string, (...args: number[]) => number> & {
    poll(fds: number, count: number, timeout: number): Promise<number>;
    __errno_location(): NonNullable<Pointer>;
    mmap(address: number, length: number, protection: number, flags: number, fd: number, offset: number): Pointer;
    malloc(bytes: number): Pointer;
    free(pointer: Pointer): void;
  };
  const errnoView = new deno.UnsafePointerView(call.__errno_location());
  /** Allocations stay referenced here until `free`, so an address the kernel is given is never collected meanwhile. */
  const retained = new Set<ArrayBuffer>();

  const alloc = (bytes: number): NativeMemory => {
    const buffer = new ArrayBuffer(bytes);
    retained.add(buffer);
    return { bytes: new Uint8Array(buffer), address: Number(deno.UnsafePointer.value(deno.UnsafePointer.of(buffer))) };
  };
  const free = (memory: NativeMemory) => {
    retained.delete(memory.bytes.buffer as ArrayBuffer);
  };

  /**
   * The pollfd array the poll thread writes into. It lives in libc's heap, not in an ArrayBuffer: when the worker ends,
   * its isolate frees every ArrayBuffer while a poll() may still be pending on Deno's blocking thread, which would then
   * write its results into freed memory (a corrupted malloc arena, found by raw-ring.test.ts under Deno in ≈ 1 % of
   * runs). Freed only between two polls; one pending at dispose keeps it, a few bytes per worker.
   */
  const pollAlloc = (bytes: number): NativeMemory & { pointer: Pointer } => {
    const pointer = call.malloc(bytes);
    if (pointer === null) throw new Error(`malloc(${bytes}) failed`);
    const memory = new Uint8Array(deno.UnsafePointerView.getArrayBuffer(pointer, bytes));
    memory.fill(0);
    return { bytes: memory, address: Number(deno.UnsafePointer.value(pointer)), pointer };
  };

  const watchers = new Map<number, () => void>();
  const wakeFd = call.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const wakeBuffer = alloc(8);
  new DataView(wakeBuffer.bytes.buffer).setBigUint64(0, 1n, true);
  let pollSet = pollAlloc(pollSetBytes(1));
  let pollFds: number[] = [];
  let changed = true;
  let running = false;
  let disposed = false;

  const wake = () => call.write(wakeFd, wakeBuffer.address, 8);

  /** Rebuilds the pollfd array; only between two poll() calls, since the poll thread reads it meanwhile. */
  const rebuild = () => {
    pollFds = [wakeFd, ...watchers.keys()];
    if (pollSet.bytes.byteLength < pollSetBytes(pollFds.length)) {
      call.free(pollSet.pointer);
      pollSet = pollAlloc(pollSetBytes(pollFds.length * 2));
    }
    writePollSet(pollSet, pollFds);
    changed = false;
  };

  const loop = async () => {
    running = true;
    while (!disposed && watchers.size > 0) {
      if (changed) rebuild();
      const ready = await call.poll(pollSet.address, pollFds.length, -1);
      if (disposed || ready <= 0) continue;
      const view = new DataView(pollSet.bytes.buffer, pollSet.bytes.byteOffset);
      for (let i = 0; i < pollFds.length; i++) {
        if (pollReturned(view, i) === 0) continue;
        const fd = pollFds[i]!;
        if (fd === wakeFd) call.read(wakeFd, wakeBuffer.address, 8);
        else watchers.get(fd)?.();
      }
    }
    running = false;
    if (disposed) close();
  };

  /** Once no poll is pending: the eventfd and the pollfd array go. */
  const close = () => {
    call.close(wakeFd);
    call.free(pollSet.pointer);
  };

  return {
    socket: call.socket,
    bind: call.bind,
    setsockopt: call.setsockopt,
    getsockopt: call.getsockopt,
    ioctl: call.ioctl,
    open: call.open,
    close: call.close,
    read: (fd, buffer, length) => Number(call.read(fd, buffer, length)),
    write: (fd, buffer, length) => Number(call.write(fd, buffer, length)),
    recvmmsg: (fd, vector, length, flags) => call.recvmmsg(fd, vector, length, flags, 0),
    sendmmsg: call.sendmmsg,
    eventfd: call.eventfd,
    poll: call.pollHere,
    errno: () => errnoView.getInt32(0),
    alloc,
    free,
    mmap(fd, bytes) {
      const pointer = call.mmap(0, bytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
      if (pointer === null || BigInt(deno.UnsafePointer.value(pointer)) === MAP_FAILED) return null;
      return {
        bytes: new Uint8Array(deno.UnsafePointerView.getArrayBuffer(pointer, bytes)),
        address: Number(deno.UnsafePointer.value(pointer)),
      };
    },
    munmap(memory) {
      call.munmap(memory.address, memory.bytes.byteLength);
    },
    watch(fd, onReadable): Unwatch {
      watchers.set(fd, onReadable);
      changed = true;
      if (running) wake();
      else void loop();
      return () => {
        if (watchers.get(fd) !== onReadable) return;
        watchers.delete(fd);
        changed = true;
        wake();
      };
    },
    dispose() {
      disposed = true;
      watchers.clear();
      // A pending poll() returns on the wake-up and the loop closes the eventfd; without one, close it now.
      if (running) wake();
      else close();
    },
  };
}
