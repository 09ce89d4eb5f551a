/**
 * Completing the TCP or UDP checksum of a frame whose sender left it to the hardware (CHECKSUM_PARTIAL: a local veth
 * peer, a container, a namespace), so that whoever receives it after the relay — an emulator, which checks it — does
 * not drop it. Walks the frame's VLAN tags and IPv4 / IPv6 header (with hop-by-hop and destination options). Pure: it
 * rewrites the checksum field of the buffer it is given and nothing else.
 */
import { STACKED_TPIDS } from '../../switching/vlan.ts';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
export const TCP = 6;
const UDP = 17;
/** IPv6 extension headers that carry no routing and come before the transport header: hop-by-hop, destination options. */
const [HOP_BY_HOP, DESTINATION_OPTIONS] = [0, 60];
/** Where the checksum sits in a TCP and in a UDP header. */
const [TCP_CHECKSUM_AT, UDP_CHECKSUM_AT] = [16, 6];

/** Segments at least this long are summed 4 bytes at a time (below it the set-up costs more than it saves). */
const WORDWISE_BYTES = 64;

function fold(total: number): number {
  while (total > 0xffff) total = (total % 0x10000) + Math.floor(total / 0x10000);
  return total;
}

/**
 * The ones' complement sum of the 16-bit big-endian words of `bytes[from, to)` (a trailing odd byte padded), unfolded.
 * Where the words start 2-aligned in memory it reads them as 32-bit host-order (little-endian) words — ≈ 3 times
 * faster in V8 than byte pairs — and swaps their folded sum back (RFC 1071: the sum does not depend on byte order).
 */
function sum(bytes: Uint8Array, from: number, to: number): number {
  let total = 0;
  let at = from;
  const alignment = (bytes.byteOffset + at) & 3;
  if ((alignment & 1) === 0 && to - at >= WORDWISE_BYTES) {
    if (alignment === 2) {
      total += (bytes[at]! << 8) | bytes[at + 1]!;
      at += 2;
    }
    const count = (to - at) >>> 2;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + at, count);
    let little = 0;
    let i = 0;
    for (; i + 4 <= count; i += 4) little += words[i]! + words[i + 1]! + words[i + 2]! + words[i + 3]!;
    for (; i < count; i++) little += words[i]!;
    const folded = fold(little);
    total += ((folded & 0xff) << 8) | (folded >>> 8);
    at += count * 4;
  }
  for (; at + 1 < to; at += 2) total += (bytes[at]! << 8) | bytes[at + 1]!;
  if (at < to) total += bytes[at]! << 8;
  return total;
}

/** The ones' complement checksum of `bytes[from, to)`, as it goes in a header (the IPv4 header's, with its field zeroed). */
export function internetChecksum(bytes: Uint8Array, from: number, to: number): number {
  return ~fold(sum(bytes, from, to)) & 0xffff;
}

/** Where a frame's IP header and its transport segment lie (offsets into the frame), and the transport protocol. */
export type Transport = { ip: number; v6: boolean; protocol: number; segment: number; end: number };

/**
 * Finds the IPv4 (unfragmented) or IPv6 header of `frame` behind its VLAN tags, steps over IPv6 hop-by-hop and
 * destination options, and answers where the transport segment lies as the IP header bounds it; null for anything
 * else (ARP, fragments, runts, a datagram longer than the frame).
 */
export function findTransport(frame: Uint8Array): Transport | null {
  let at = 12;
  let etherType = (frame[at]! << 8) | frame[at + 1]!;
  while (STACKED_TPIDS.has(etherType) && at + 6 <= frame.length) {
    at += 4;
    etherType = (frame[at]! << 8) | frame[at + 1]!;
  }
  const ip = at + 2;
  if (etherType === ETHERTYPE_IPV4 && ip + 20 <= frame.length && frame[ip]! >>> 4 === 4) {
    const fragment = ((frame[ip + 6]! << 8) | frame[ip + 7]!) & 0x3fff; // more-fragments flag and offset
    if (fragment !== 0) return null;
    const end = ip + ((frame[ip + 2]! << 8) | frame[ip + 3]!);
    return end > frame.length ? null : { ip, v6: false, protocol: frame[ip + 9]!, segment: ip + (frame[ip]! & 0x0f) * 4, end };
  }
  if (etherType === ETHERTYPE_IPV6 && ip + 40 <= frame.length && frame[ip]! >>> 4 === 6) {
    let protocol = frame[ip + 6]!;
    let segment = ip + 40;
    const end = segment + ((frame[ip + 4]! << 8) | frame[ip + 5]!);
    while ((protocol === HOP_BY_HOP || protocol === DESTINATION_OPTIONS) && segment + 8 <= end) {
      protocol = frame[segment]!;
      segment += (frame[segment + 1]! + 1) * 8;
    }
    return end > frame.length ? null : { ip, v6: true, protocol, segment, end };
  }
  return null;
}

/**
 * Writes the TCP or UDP checksum of `frame` (an Ethernet frame, VLAN tags allowed) over the pseudo-header and the
 * segment as the IP header bounds it. Returns false, leaving the frame as it was, when it holds no whole unfragmented
 * TCP/UDP segment over IPv4 or IPv6 that this can complete.
 *
 * @example if ((status & TP_STATUS_CSUMNOTREADY) !== 0) completeChecksum(frame);
 */
export function completeChecksum(frame: Uint8Array): boolean {
  const found = findTransport(frame);
  if (!found) return false;
  const { ip, v6, protocol, segment, end } = found;
  if (protocol !== TCP && protocol !== UDP) return false;
  const field = segment + (protocol === TCP ? TCP_CHECKSUM_AT : UDP_CHECKSUM_AT);
  if (field + 2 > end) return false;
  const pseudo = (v6 ? sum(frame, ip + 8, ip + 40) : sum(frame, ip + 12, ip + 20)) + protocol + (end - segment);
  frame[field] = 0;
  frame[field + 1] = 0;
  let checksum = ~fold(pseudo + sum(frame, segment, end)) & 0xffff;
  // UDP sends 0 as "no checksum": a computed 0 goes out as its other ones' complement form.
  if (checksum === 0 && protocol === UDP) checksum = 0xffff;
  frame[field] = checksum >>> 8;
  frame[field + 1] = checksum & 0xff;
  return true;
}
