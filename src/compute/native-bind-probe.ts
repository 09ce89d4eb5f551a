/**
 * Bind probes on the IPv4 wildcard through libc with koffi (Node on Linux): socket(), bind() (and listen() for TCP),
 * close(), synchronously. A probe runs for three ports at every VPCS start (its console port and its two UDP tunnel
 * ports); through Node's net.Server or dgram socket each one built a handle, an emitter and callbacks over two event
 * loop turns, ≈ 30–50 µs of the main thread against a few µs here. Same answers as those probes: TCP with
 * SO_REUSEADDR then listen(), as libuv binds a server (a connection lingering in TIME_WAIT does not count as taken),
 * UDP without it, as an exclusive dgram bind.
 */
import { createRequire } from 'node:module';
import { isDeno } from '../runtime/index.ts';

export type NativeBindProbe = (kind: 'tcp' | 'udp', port: number) => boolean;

// <sys/socket.h>, <netinet/in.h> on Linux.
const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
/** Libuv's backlog for a Node server. */
const BACKLOG = 511;

function bind(): NativeBindProbe {
  type Koffi = { load(path: string): { func(signature: string): (...args: unknown[]) => number } };
  // koffi is a CommonJS native addon; require keeps it out of Deno's module graph (Deno never calls this).
  const lib = (createRequire(import.meta.url)('koffi') as Koffi).load('libc.so.6');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const setsockopt = lib.func('int setsockopt(int fd, int level, int name, const void *value, unsigned int length)');
  const bindTo = lib.func('int bind(int fd, const void *address, unsigned int length)');
  const listen = lib.func('int listen(int fd, int backlog)');
  const close = lib.func('int close(int fd)');
  const on = new Int32Array([1]);
  // struct sockaddr_in for 0.0.0.0: family (host order), port (network order), address, padding.
  const address = new Uint8Array(16);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET, true);
  return (kind, port) => {
    const fd = socket(AF_INET, (kind === 'tcp' ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    try {
      view.setUint16(2, port, false);
      if (kind === 'tcp' && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, on, 4) !== 0) return false;
      if (bindTo(fd, address, address.length) !== 0) return false;
      return kind === 'udp' || listen(fd, BACKLOG) === 0;
    } finally {
      close(fd);
    }
  };
}

let probe: NativeBindProbe | null | undefined;

/** The probe, bound on first use; null where it cannot work (Deno, not Linux, no koffi), and Node's sockets are used. */
export function nativeBindProbe(): NativeBindProbe | null {
  if (probe !== undefined) return probe;
  probe = null;
  if (isDeno || process.platform !== 'linux') return probe;
  try {
    probe = bind();
  } catch {
    // Node's own sockets answer the same question, only slower.
  }
  return probe;
}
