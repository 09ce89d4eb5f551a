/** The portable relay I/O: node:dgram sockets (one recvmsg, one callback, one sendmsg per datagram); no raw or TAP. */
import { createSocket } from 'node:dgram';
import { lookup as lookupCallback } from 'node:dns';
import type { LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { fail } from '../../errors/index.ts';
import type { PatchbayError } from '../../errors/index.ts';
import { SOCKET_BUFFER_BYTES } from '../peer.ts';
import type { DeviceEndpoint, EndpointHandlers, RelayIo, UdpSocket } from './types.ts';

/**
 * A node:dgram socket belongs to its thread's event loop and cannot be handed to another worker; the pool never moves
 * bridges on this backend (it spreads them at creation instead, see placement.ts), so reaching this is a pool bug.
 */
const immovable = (): never => {
  throw new Error('dgram relay endpoints cannot move between workers');
};

/**
 * Errors a UDP send or receive reports when the peer is not listening yet or the route comes and goes;
 * GNS3's uBridge ignores the same ones, and a link must survive them.
 */
const TRANSIENT = new Set(['ECONNREFUSED', 'ENETDOWN', 'ENETUNREACH', 'EHOSTUNREACH', 'EINVAL', 'EPERM']);

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

export class DgramIo implements RelayIo {
  readonly name = 'dgram';
  /** Why the native backend is not in use (named in the error of a raw/TAP request). */
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  openUdp(lport: number, address: string, handlers: EndpointHandlers): Promise<UdpSocket> {
    const socket = createSocket({
      type: isIP(address) === 6 ? 'udp6' : 'udp4',
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
          if (error.code === 'EMSGSIZE') handlers.drop('too_big');
          else if (!TRANSIENT.has(error.code ?? '')) handlers.error(error, false);
        });
        socket.on('message', (frame) => handlers.frame(frame));
        resolve({
          send: (frame, peer) => socket.send(frame, peer.port, peer.address),
          detach: immovable,
          close: () =>
            new Promise((done) => {
              try {
                socket.close(() => done());
              } catch {
                done();
              }
            }),
        });
      });
    });
  }

  openTap(name: string): Promise<DeviceEndpoint> {
    return Promise.reject(this.#unsupported(`TAP device "${name}"`));
  }

  openRaw(name: string): Promise<DeviceEndpoint> {
    return Promise.reject(this.#unsupported(`raw socket on interface "${name}"`));
  }

  adoptUdp = immovable;
  adoptDevice = immovable;
  sweep = immovable;

  /** Every datagram is its own event-loop callback: nothing ever holds the loop back from a timer. */
  holdLoop(): () => void {
    return () => {};
  }

  readonly doorbell = null;

  close(): void {}

  /** Node closes dgram sockets with the thread. */
  abandon(): void {}

  #unsupported(what: string): PatchbayError {
    return fail('RELAY_BACKEND_UNSUPPORTED', what, this.#reason);
  }
}
