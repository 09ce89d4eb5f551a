/** UDP sockets for the hot path: large kernel buffers, numeric peer address, and peer-not-listening errors ignored. */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { lookup as lookupCallback } from 'node:dns';
import type { LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** Asked of the kernel for both directions; Linux silently caps it at net.core.rmem_max / wmem_max. */
export const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Errors a UDP send or receive reports when the peer is not listening yet or the route comes and goes;
 * GNS3's uBridge ignores the same ones, and a link must survive them.
 */
const TRANSIENT = new Set(['ECONNREFUSED', 'ENETDOWN', 'ENETUNREACH', 'EHOSTUNREACH', 'EINVAL', 'EPERM']);

export type Peer = { address: string; port: number; family: 4 | 6 };

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram resolves the address of every unconnected send, even a numeric one, and dns.lookup answers on the next tick;
 * that costs ~2.5 µs of the ~13 µs a forwarded frame costs. The relay only sends to addresses resolvePeer made numeric,
 * so they are handed back at once (names still go through dns.lookup).
 */
function numericLookup(address: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(address);
  if (family) callback(null, address, family);
  else lookupCallback(address, options, callback);
}

/** Resolves `rhost` once, so the hot path never does a name lookup per packet. */
export async function resolvePeer(rhost: string, rport: number): Promise<Peer> {
  const family = isIP(rhost);
  if (family === 4 || family === 6) return { address: rhost, port: rport, family };
  const found = await lookup(rhost);
  return { address: found.address, port: rport, family: found.family === 6 ? 6 : 4 };
}

/**
 * Binds a UDP socket on `address:lport` and calls `onFrame` for every datagram.
 * `onError` receives errors that are not transient (they do not close the socket).
 */
export function bindUdp(
  lport: number,
  address: string,
  onFrame: (frame: Buffer) => void,
  onError: (error: NodeJS.ErrnoException) => void,
): Promise<Socket> {
  const type = isIP(address) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket({
    type,
    recvBufferSize: SOCKET_BUFFER_BYTES,
    sendBufferSize: SOCKET_BUFFER_BYTES,
    lookup: numericLookup,
  });
  return new Promise((resolve, reject) => {
    const failBind = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once('error', failBind);
    socket.bind({ port: lport, address, exclusive: true }, () => {
      socket.off('error', failBind);
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (!TRANSIENT.has(error.code ?? '')) onError(error);
      });
      socket.on('message', onFrame);
      resolve(socket);
    });
  });
}

/** Closes a socket, tolerating one that is already closed. */
export function closeUdp(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
