/** libc through koffi (Node): synchronous calls on the worker thread, readiness from libuv via koffi.node.poll. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MAP_SHARED, PROT_READ_WRITE } from './libc.ts';
import type { Libc, NativeMemory } from './libc.ts';

type KoffiFunction = (...args: Array<number | string>) => number;
type PollHandle = { close(): void; start(options: { readable: boolean }, callback: (status: number) => void): void };
type Koffi = {
  load(path: string): { func(signature: string): KoffiFunction };
  alloc(type: string, length: number): unknown;
  free(pointer: unknown): void;
  view(pointer: unknown, length: number): ArrayBuffer;
  address(pointer: unknown): bigint;
  errno(): number;
  node: { poll(fd: number, options: { readable: boolean }, callback: (status: number) => void): PollHandle };
};

/** mmap's MAP_FAILED, (void *) -1. */
const MAP_FAILED = 2n ** 64n - 1n;
const RTLD_LAZY = 0x1;
const RTLD_NOLOAD = 0x4;
const RTLD_NODELETE = 0x1000;

/**
 * Keeps koffi's shared object mapped until the process ends. A worker thread unloads the addons it loaded when it
 * stops, but libuv may still have to run the close callback of a koffi poll handle, which lives in koffi: with the
 * library unmapped that is a SIGSEGV (a worker terminated with poll handles open). RTLD_NOLOAD | RTLD_NODELETE loads
 * nothing; it only marks the object koffi was loaded from as never to be unloaded.
 */
function pinKoffi(dlopen: KoffiFunction): void {
  const path = readFileSync('/proc/self/maps', 'utf8').match(/ (\/.*\/koffi\.node)$/m)?.[1];
  if (path) dlopen(path, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

export function bindLibcKoffi(): Libc {
  // koffi is a CommonJS native addon; require keeps it out of Deno's module graph (Deno never loads this file).
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  const fn = (signature: string) => lib.func(signature);
  pinKoffi(fn('uintptr_t dlopen(const char *, int)'));
  /** koffi's pointer object of each allocation by address, which `free` needs. */
  const retained = new Map<number, unknown>();
  // Returns a koffi pointer (not a number): koffi.view needs one to expose the mapping to JavaScript.
  const mapShared = fn('void *mmap(uintptr_t, uintptr_t, int, int, int, intptr_t)') as unknown as (...args: number[]) => unknown;
  const unmap = fn('int munmap(uintptr_t, uintptr_t)');
  return {
    socket: fn('int socket(int, int, int)'),
    bind: fn('int bind(int, uintptr_t, uint32_t)'),
    setsockopt: fn('int setsockopt(int, int, int, uintptr_t, uint32_t)'),
    getsockopt: fn('int getsockopt(int, int, int, uintptr_t, uintptr_t)'),
    ioctl: fn('int ioctl(int, unsigned long, uintptr_t)'),
    open: fn('int open(uintptr_t, int)'),
    close: fn('int close(int)'),
    read: fn('intptr_t read(int, uintptr_t, uintptr_t)'),
    write: fn('intptr_t write(int, uintptr_t, uintptr_t)'),
    recvmmsg: ((call) => (fd: number, vector: number, length: number, flags: number) => call(fd, vector, length, flags, 0))(
      fn('int recvmmsg(int, uintptr_t, unsigned int, int, uintptr_t)'),
    ),
    sendmmsg: fn('int sendmmsg(int, uintptr_t, unsigned int, int)'),
    eventfd: fn('int eventfd(unsigned int, int)'),
    poll: fn('int poll(uintptr_t, unsigned long, int)'),
    errno: () => koffi.errno(),
    alloc(bytes: number): NativeMemory {
      const pointer = koffi.alloc('uint8_t', bytes);
      const address = Number(koffi.address(pointer));
      retained.set(address, pointer);
      return { bytes: new Uint8Array(koffi.view(pointer, bytes)), address };
    },
    free(memory) {
      const pointer = retained.get(memory.address);
      if (pointer === undefined) return;
      retained.delete(memory.address);
      koffi.free(pointer);
    },
    mmap(fd, bytes) {
      const pointer = mapShared(0, bytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
      const address = pointer === null ? MAP_FAILED : koffi.address(pointer);
      if (address === MAP_FAILED) return null;
      return { bytes: new Uint8Array(koffi.view(pointer, bytes)), address: Number(address) };
    },
    munmap(memory) {
      unmap(memory.address, memory.bytes.byteLength);
    },
    watch(fd, onReadable) {
      const options = { readable: true };
      let closed = false;
      // libuv stops a poll handle that reports POLLERR (status < 0); the reader has consumed the error by now, so the
      // watch goes on unless the reader closed it.
      const callback = (status: number) => {
        onReadable();
        if (status < 0 && !closed) handle.start(options, callback);
      };
      const handle = koffi.node.poll(fd, options, callback);
      return () => {
        closed = true;
        handle.close();
      };
    },
    dispose() {
      retained.clear();
    },
  };
}
