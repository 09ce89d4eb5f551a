/**
 * The libc calls the native backend makes, bound by koffi on Node (libc-koffi.ts) or Deno.dlopen on Deno
 * (libc-deno.ts). Pointers travel as plain numbers (addresses of memory from `alloc`), so both bindings share one
 * calling convention and the hot path passes only integers.
 */

/** Memory that never moves: `bytes` views it from JavaScript, `address` is what C sees. */
export type NativeMemory = { bytes: Uint8Array; address: number };

/** Stops a readiness watch. */
export type Unwatch = () => void;

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: number, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: number, length: number): number;
  /** `length` is the address of a socklen_t holding the room at `value`, updated to what the kernel wrote. */
  getsockopt(fd: number, level: number, name: number, value: number, length: number): number;
  ioctl(fd: number, request: number, argument: number): number;
  open(path: number, flags: number): number;
  close(fd: number): number;
  read(fd: number, buffer: number, length: number): number;
  write(fd: number, buffer: number, length: number): number;
  recvmmsg(fd: number, vector: number, length: number, flags: number): number;
  sendmmsg(fd: number, vector: number, length: number, flags: number): number;
  /** A new eventfd (see linger.ts: the worker's doorbell). */
  eventfd(initial: number, flags: number): number;
  /** poll() on the calling thread (it blocks it for up to `timeout` ms): see linger.ts. */
  poll(fds: number, count: number, timeout: number): number;
  /** errno of the last failed call on this thread. */
  errno(): number;
  /** Native memory that stays put (the kernel reads it during calls); kept until `free`. */
  alloc(bytes: number): NativeMemory;
  /** Gives back memory from `alloc`; its `bytes` must not be touched afterwards. */
  free(memory: NativeMemory): void;
  /** A shared read-write mapping of `bytes` of `fd` (an AF_PACKET ring), or null with errno set. */
  mmap(fd: number, bytes: number): NativeMemory | null;
  /** Unmaps what `mmap` returned; its `bytes` must not be touched afterwards. */
  munmap(memory: NativeMemory): void;
  /** Calls `onReadable` (on the event loop) whenever `fd` has data; level-triggered. */
  watch(fd: number, onReadable: () => void): Unwatch;
  /** Releases the readiness machinery (Deno's poll thread); the binding is unusable afterwards. */
  dispose(): void;
}

/** Linux constants shared by x86-64 and arm64 (asm-generic). */
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const O_RDWR = 2;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const SOL_PACKET = 263;
export const SOL_UDP = 17;
export const UDP_SEGMENT = 103;
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_MR_PROMISC = 1;
export const PACKET_IGNORE_OUTGOING = 23;
export const ETH_P_ALL = 0x0003;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const TUNSETIFF = 0x400454ca;
export const IFF_TAP = 0x0002;
export const IFF_NO_PI = 0x1000;
export const SIOCGIFINDEX = 0x8933;
export const SIOCGIFMTU = 0x8921;
export const PROT_READ_WRITE = 0x3;
export const MAP_SHARED = 0x1;

/** errno values the backend tells apart, and the names Node gives them (pool and API branch on these codes). */
export const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  4: 'EINTR',
  6: 'ENXIO',
  9: 'EBADF',
  12: 'ENOMEM',
  11: 'EAGAIN',
  13: 'EACCES',
  16: 'EBUSY',
  19: 'ENODEV',
  22: 'EINVAL',
  77: 'EBADFD',
  90: 'EMSGSIZE',
  93: 'EPROTONOSUPPORT',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
  111: 'ECONNREFUSED',
  113: 'EHOSTUNREACH',
};

export const EINTR = 4;
export const EAGAIN = 11;
export const EMSGSIZE = 90;
export const ENOBUFS = 105;

/** An Error shaped like Node's system errors: `code` is the errno name, `errno` the number, `syscall` the call. */
export function errnoError(errno: number, syscall: string, detail: string): Error & { code: string; errno: number } {
  const code = ERRNO_NAMES[errno] ?? `E${errno}`;
  const error = new Error(`${syscall} ${code}: ${detail}`) as Error & { code: string; errno: number; syscall: string };
  error.code = code;
  error.errno = errno;
  error.syscall = syscall;
  return error;
}
