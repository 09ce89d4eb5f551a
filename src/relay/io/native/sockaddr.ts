/** sockaddr encodings (no I/O): IPv4/IPv6 for UDP, sockaddr_ll for AF_PACKET, packet_mreq for promiscuity. */
import { AF_INET, AF_INET6, AF_PACKET, ETH_P_ALL, PACKET_MR_PROMISC } from './libc.ts';

function ipv6Bytes(address: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let text = address;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  const groups: number[] = [];
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  groups.push(...front, ...new Array(tail === undefined ? 0 : 8 - front.length - back.length).fill(0), ...back);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >>> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes) for a numeric address. */
export function encodeInetAddress(address: string, port: number, family: 4 | 6): Uint8Array {
  const bytes = new Uint8Array(family === 6 ? 28 : 16);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, family === 6 ? AF_INET6 : AF_INET, true);
  view.setUint16(2, port, false);
  if (family === 6) bytes.set(ipv6Bytes(address), 8);
  else address.split('.').forEach((part, i) => (bytes[4 + i] = Number(part)));
  return bytes;
}

export const SOCKADDR_LL_BYTES = 20;

/** sockaddr_ll binding an AF_PACKET socket to every protocol on one interface. */
export function encodePacketAddress(ifindex: number): Uint8Array {
  const bytes = new Uint8Array(SOCKADDR_LL_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_PACKET, true);
  view.setUint16(2, ETH_P_ALL, false);
  view.setInt32(4, ifindex, true);
  return bytes;
}

/** packet_mreq asking for promiscuous mode on `ifindex` while the socket is open (the kernel drops it on close). */
export function encodePromiscuousMembership(ifindex: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, ifindex, true);
  view.setUint16(4, PACKET_MR_PROMISC, true);
  return bytes;
}
