/** Where a UDP endpoint sends: `rhost` resolved once to a numeric address, so the hot path never looks a name up. */
import { lookup } from 'node:dns/promises';

/** Asked of the kernel for both directions; Linux silently caps it at net.core.rmem_max / wmem_max. */
export const SOCKET_BUFFER_BYTES = 8 * 1024 * 1024;

export type Peer = { address: string; port: number; family: 4 | 6 };

/**
 * A numeric `rhost` is answered by `lookup` itself, without a resolver thread (it checks for a literal first); not
 * checking here spares a native relay worker node:net (≈ 0.2 MiB of RSS), which it needs for nothing else.
 */
export async function resolvePeer(rhost: string, rport: number): Promise<Peer> {
  const found = await lookup(rhost);
  return { address: found.address, port: rport, family: found.family === 6 ? 6 : 4 };
}

/** True when datagrams to `peer` stay on this host. */
export const isLoopbackPeer = (peer: Peer): boolean =>
  peer.family === 6 ? peer.address === '::1' : peer.address.startsWith('127.');
