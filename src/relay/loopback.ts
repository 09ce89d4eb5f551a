/**
 * The link-side sockets of one relay worker, by the port they are bound to. A bridge whose NIO points at one of them
 * on loopback (the other bridge of a link between two emulators of this compute, or a hub/switch port) hands each
 * frame to that socket's receive path in-process, instead of a sendto + recvmsg pair through the kernel. A fabric port
 * does the same towards a bridge. The receiving socket stays bound, so the API and peers elsewhere see no difference.
 *
 * A hand-over never recurses without bound: a bridge's link side only forwards to its emulator side (a real send), and
 * a fabric only hands frames to bridges, never to another fabric (switch loops go through the kernel as before). The
 * deepest chain is bridge → fabric → bridge.
 */
import { isLoopbackPeer } from './peer.ts';
import type { Peer } from './peer.ts';

/**
 * `shared`: the sender hands the same frame to other receivers too (a fabric flooding it), so a receiver that would
 * change its bytes (a corrupt filter) copies it first; one that only reads or forwards it does not.
 */
export type LinkReceiver = (frame: Uint8Array, shared?: boolean) => void;

/** Key of a bound port: v4 and v6 sockets never receive each other's datagrams, so they are told apart. */
const keyOf = (family: 4 | 6, port: number): number => (family === 6 ? 65536 + port : port);

/** The directory key a send to `peer` would land on if it stays on this host, or -1 if it leaves the host. */
export function loopbackKey(peer: Peer): number {
  return isLoopbackPeer(peer) ? keyOf(peer.family, peer.port) : -1;
}

export type ReceiverKind = 'bridge' | 'fabric';

export class LoopbackDirectory {
  /** Every link-side receiver: where a bridge may hand frames. */
  #all = new Map<number, LinkReceiver>();
  /** Bridges' link sides only: where a fabric may hand frames. */
  #bridges = new Map<number, LinkReceiver>();

  /** The socket is bound to the wildcard address of `family`, so every loopback datagram to `port` reaches it. */
  add(family: 4 | 6, port: number, receiver: LinkReceiver, kind: ReceiverKind): void {
    const key = keyOf(family, port);
    this.#all.set(key, receiver);
    if (kind === 'bridge') this.#bridges.set(key, receiver);
  }

  /** Forgets the port, unless it was re-bound by someone else meanwhile. */
  remove(family: 4 | 6, port: number, receiver: LinkReceiver): void {
    const key = keyOf(family, port);
    if (this.#all.get(key) === receiver) this.#all.delete(key);
    if (this.#bridges.get(key) === receiver) this.#bridges.delete(key);
  }

  /** Hot path of a bridge: `key` comes from `loopbackKey`, computed once per peer. */
  receiver(key: number): LinkReceiver | undefined {
    return key < 0 ? undefined : this.#all.get(key);
  }

  /** Hot path of a fabric port. */
  bridgeReceiver(key: number): LinkReceiver | undefined {
    return key < 0 ? undefined : this.#bridges.get(key);
  }
}
