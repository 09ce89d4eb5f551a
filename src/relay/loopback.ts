/**
 * The link-side sockets of one relay worker, by the port they are bound to. A bridge whose NIO points at one of them
 * on loopback (the two bridges of a link between two emulators of this compute) hands each frame to that socket's
 * receive path in-process, instead of a sendto + recvmsg pair through the kernel. The receiving socket stays bound, so
 * the API and peers elsewhere see no difference.
 *
 * Only link-side sockets are listed and a frame received on a link side always leaves through the emulator side, so a
 * hand-over never leads to another one: the call depth stays at one even in a misconfigured loop.
 */
import type { Peer } from './udp.ts';

export type LinkReceiver = (frame: Buffer) => void;

/** Key of a bound port: v4 and v6 sockets never receive each other's datagrams, so they are told apart. */
const keyOf = (family: 4 | 6, port: number): number => (family === 6 ? 65536 + port : port);

/** The directory key a send to `peer` would land on if it stays on this host, or -1 if it leaves the host. */
export function loopbackKey(peer: Peer): number {
  const loopback = peer.family === 6 ? peer.address === '::1' : peer.address.startsWith('127.');
  return loopback ? keyOf(peer.family, peer.port) : -1;
}

export class LoopbackDirectory {
  #receivers = new Map<number, LinkReceiver>();

  /** The socket is bound to the wildcard address of `family`, so every loopback datagram to `port` reaches it. */
  add(family: 4 | 6, port: number, receiver: LinkReceiver): void {
    this.#receivers.set(keyOf(family, port), receiver);
  }

  /** Forgets the port, unless it was re-bound by someone else meanwhile. */
  remove(family: 4 | 6, port: number, receiver: LinkReceiver): void {
    const key = keyOf(family, port);
    if (this.#receivers.get(key) === receiver) this.#receivers.delete(key);
  }

  /** Hot path: `key` comes from `loopbackKey`, computed once per peer. */
  receiver(key: number): LinkReceiver | undefined {
    return key < 0 ? undefined : this.#receivers.get(key);
  }
}
